"""The stack's secret values: one per secret the app declares, set with `pulumi config set --secret`, checked when
the program starts and handed to the cloud's secret store (never to a function's environment)."""

from __future__ import annotations

import pulumi
from pulumi.runtime.config import is_config_secret

from portable.app import App
from portable.errors import ConfigurationError
from portable.limits import SECRET_VALUE_MAX_BYTES
from portable.secrets import CONFIG_NAMESPACE, set_command


def check_secret_values(app: App, stack: str) -> None:
    """Every declared secret has a value in the stack, set as a secret, within the size both stores keep."""
    config = pulumi.Config(CONFIG_NAMESPACE)
    for name in app.secrets:
        users = ", ".join(sorted(spec.name for spec in app.functions.values() if name in spec.reads)) or "no function"
        command = f"`{set_command(name)} --stack {stack}` (for `portable preview`: `-c {CONFIG_NAMESPACE}:{name}=...`)"
        value = config.get(name)
        if value is None:
            raise ConfigurationError(
                f"secret {name!r} (read by {users}) has no value in stack {stack!r}; run {command}"
            )
        if not is_config_secret(f"{CONFIG_NAMESPACE}:{name}"):
            raise ConfigurationError(
                f"{CONFIG_NAMESPACE}:{name} is stored in plain text in Pulumi.{stack}.yaml; set it again as a secret "
                f"(encrypted) with {command}"
            )
        if len(value.encode()) > SECRET_VALUE_MAX_BYTES:
            raise ConfigurationError(
                f"secret {name!r} is {len(value.encode())} bytes; Secrets Manager and Secret Manager keep at most "
                f"{SECRET_VALUE_MAX_BYTES}. Keep large data in a bucket, and its key in the secret"
            )


def secret_value(name: str) -> pulumi.Output[str]:
    """The value `check_secret_values` found, marked secret so that Pulumi encrypts it in the state."""
    return pulumi.Config(CONFIG_NAMESPACE).require_secret(name)
