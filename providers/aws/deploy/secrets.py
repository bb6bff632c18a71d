"""One Secrets Manager secret per portable secret, its value from the stack's config (`secrets:<name>`)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from providers.deploy.secret_values import secret_value


def create_secrets(names: list[str]) -> dict[str, pulumi.Output[str]]:
    """Each secret and its current version (a changed value in the config is a new version on `pulumi up`);
    returns each secret's ARN, known once the value is stored, so that no function starts before it."""
    arns = {}
    for name in names:
        secret = aws.secretsmanager.Secret(f"{name}-secret", description=f"Portable secret {name!r}")
        version = aws.secretsmanager.SecretVersion(
            f"{name}-secret-value",
            secret_id=secret.id,
            secret_string=secret_value(name),
        )
        arns[name] = pulumi.Output.all(secret.arn, version.id).apply(lambda resolved: str(resolved[0]))
    return arns
