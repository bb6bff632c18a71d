"""One Secret Manager secret per portable secret, its value from the stack's config (`secrets:<name>`), and
secretAccessor on that secret only for each function that declares it."""

from __future__ import annotations

from typing import NamedTuple

import pulumi
import pulumi_gcp as gcp

from portable.app import FunctionSpec
from providers.deploy.secret_values import secret_value
from providers.gcp.deploy.names import resource_id
from providers.gcp.deploy.settings import GcpSettings

SECRET_ACCESSOR = "roles/secretmanager.secretAccessor"


class DeployedSecret(NamedTuple):
    """A secret, and the resource name functions read it under, known once its value is stored."""

    secret: gcp.secretmanager.Secret
    path: pulumi.Output[str]


def create_secrets(names: list[str], settings: GcpSettings, opts: pulumi.ResourceOptions) -> dict[str, DeployedSecret]:
    """Each secret (its id unique per project and stack) and its current version."""
    prefix = resource_id(f"{pulumi.get_project()}-{pulumi.get_stack()}", 200)
    secrets = {}
    for name in names:
        secret = gcp.secretmanager.Secret(
            f"{name}-secret",
            project=settings.project,
            secret_id=f"{prefix}-{name}",
            replication={"auto": {}},
            opts=opts,
        )
        version = gcp.secretmanager.SecretVersion(
            f"{name}-secret-value",
            secret=secret.id,
            secret_data=secret_value(name),
        )
        path = pulumi.Output.all(secret.secret_id, version.id).apply(
            lambda resolved: f"projects/{settings.project}/secrets/{resolved[0]}"
        )
        secrets[name] = DeployedSecret(secret, path)
    return secrets


def grant_secret_access(
    spec: FunctionSpec,
    secrets: dict[str, DeployedSecret],
    member: pulumi.Input[str],
    settings: GcpSettings,
) -> list[gcp.secretmanager.SecretIamMember]:
    return [
        gcp.secretmanager.SecretIamMember(
            f"{spec.name}-reads-{name}",
            project=settings.project,
            secret_id=secrets[name].secret.secret_id,
            role=SECRET_ACCESSOR,
            member=member,
        )
        for name in sorted(spec.reads & secrets.keys())
    ]
