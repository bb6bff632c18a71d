"""One Secret Manager secret per portable secret, its value from the stack's config (`secrets:<name>`), and
secretAccessor on that secret only for each function that declares it."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from portable.app import FunctionSpec
from providers.deploy.secret_values import secret_value
from providers.gcp.deploy.names import resource_id
from providers.gcp.deploy.settings import GcpSettings

SECRET_ACCESSOR = "roles/secretmanager.secretAccessor"


def create_secrets(
    names: list[str], settings: GcpSettings, opts: pulumi.ResourceOptions
) -> dict[str, gcp.secretmanager.Secret]:
    """Each secret (its id unique per project and stack) and its current version."""
    prefix = resource_id(f"{pulumi.get_project()}-{pulumi.get_stack()}", 200)
    secrets = {}
    for name in names:
        secret = gcp.secretmanager.Secret(
            f"{name}-secret", project=settings.project, secret_id=f"{prefix}-{name}", replication={"auto": {}},
            opts=opts,
        )
        gcp.secretmanager.SecretVersion(f"{name}-secret-value", secret=secret.id, secret_data=secret_value(name))
        secrets[name] = secret
    return secrets


def secret_path(secret: gcp.secretmanager.Secret, settings: GcpSettings) -> pulumi.Output[str]:
    """The resource name the function reads the secret's versions under (projects/<project>/secrets/<id>)."""
    return pulumi.Output.concat("projects/", settings.project, "/secrets/", secret.secret_id)


def grant_secret_access(
    spec: FunctionSpec, secrets: dict[str, gcp.secretmanager.Secret], member: pulumi.Input[str], settings: GcpSettings,
) -> list[gcp.secretmanager.SecretIamMember]:
    return [
        gcp.secretmanager.SecretIamMember(
            f"{spec.name}-reads-{name}", project=settings.project, secret_id=secrets[name].secret_id,
            role=SECRET_ACCESSOR, member=member,
        )
        for name in sorted(spec.reads & secrets.keys())
    ]
