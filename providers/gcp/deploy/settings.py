"""The GCP stack's settings, read from Pulumi config and checked before any resource exists."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi

from portable.errors import ConfigurationError
from providers.deploy.config import config_command, domain_name, flag, require
from providers.deploy.plan import StackInfo


@dataclass(frozen=True)
class GcpSettings:
    project: str
    region: str
    firestore_location: str
    create_firestore_database: bool
    domain: str | None = None
    # The account Cloud Build builds the functions as: projects/<project>/serviceAccounts/<email>. None leaves it to
    # the project's default, which projects made since mid-2024 no longer grant what a build needs.
    build_service_account: str | None = None


_ACCOUNT_EMAIL = re.compile(r"[a-z0-9][a-z0-9-]{2,29}@[a-z0-9.:-]+\.gserviceaccount\.com")
_ACCOUNT_NAME = re.compile(r"projects/([a-z0-9.:-]+|-)/serviceAccounts/(.+)")


def build_service_account(project: str) -> str | None:
    """portable:buildServiceAccount as the full name Cloud Functions takes; its email is enough."""
    text = pulumi.Config("portable").get("buildServiceAccount")
    if not text:
        return None
    named = _ACCOUNT_NAME.fullmatch(text)
    email = named[2] if named else text
    if not _ACCOUNT_EMAIL.fullmatch(email):
        example = f"builder@{project}.iam.gserviceaccount.com"
        raise ConfigurationError(
            f"portable:buildServiceAccount is {text!r}; give the email of the service account Cloud Build builds the "
            f"functions as, e.g. {config_command('portable:buildServiceAccount', example, pulumi.get_stack())}"
        )
    return f"projects/{named[1] if named else project}/serviceAccounts/{email}"


def read_settings(info: StackInfo) -> GcpSettings:
    project = require("gcp", "project", "my-project-id", "the Google Cloud project to deploy to")
    region = require("gcp", "region", "europe-west1", "the region of the functions, buckets and gateway")
    config = pulumi.Config("portable")
    create = flag("portable", "createFirestoreDatabase", True)
    return GcpSettings(
        project=project,
        region=region,
        firestore_location=config.get("firestoreLocation") or region,
        create_firestore_database=create,
        domain=domain_name("portable", "domain"),
        build_service_account=build_service_account(project),
    )
