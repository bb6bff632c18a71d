"""The stack's Pulumi config, read and checked: a wrong or missing value names the command that fixes it."""

from __future__ import annotations

import re

import pulumi

from portable.errors import ConfigurationError


def config_command(key: str, example: str, stack: str) -> str:
    """How to set `key` (`--path a.b` for a nested one): the `pulumi config set` command, and beside it the form
    `portable preview` takes, which reads no stack but its file and its `-c KEY=VALUE` options."""
    command = f"`pulumi config set {key} {example} --stack {stack}`"
    if key.startswith("--path "):
        return f"{command} (for `portable preview`, set it in Pulumi.{stack}.yaml)"
    return f"{command} (for `portable preview`: `-c {key}={example}`)"


def require(namespace: str, key: str, example: str, why: str) -> str:
    """A required setting, or a ConfigurationError naming the `pulumi config set` command."""
    value = pulumi.Config(namespace).get(key)
    if not value:
        stack = pulumi.get_stack()
        command = config_command(f"{namespace}:{key}", example, stack)
        raise ConfigurationError(f"stack {stack!r} has no {namespace}:{key} ({why}); run {command}")
    return value


def choose(namespace: str, key: str, allowed: tuple[str, ...], default: str) -> str:
    """An optional setting restricted to `allowed`."""
    value = pulumi.Config(namespace).get(key) or default
    if value not in allowed:
        stack = pulumi.get_stack()
        raise ConfigurationError(
            f"{namespace}:{key} is {value!r}; use one of {', '.join(allowed)}, e.g. "
            f"{config_command(f'{namespace}:{key}', allowed[0], stack)}"
        )
    return value


def flag(namespace: str, key: str, default: bool) -> bool:
    """An optional true/false setting."""
    return choose(namespace, key, ("true", "false"), str(default).lower()) == "true"


def positive_int(namespace: str, key: str, default: int) -> int:
    """An optional whole-number setting greater than zero."""
    text = pulumi.Config(namespace).get(key)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise ConfigurationError(
            f"{namespace}:{key} is {text!r}; it must be a whole number above zero, e.g. "
            f"{config_command(f'{namespace}:{key}', str(default), pulumi.get_stack())}"
        )
    return value


_DOMAIN_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


def domain_name(namespace: str, key: str) -> str | None:
    """An optional host name the API answers on (e.g. api.example.com), lower-cased; None if unset."""
    text = pulumi.Config(namespace).get(key)
    if not text:
        return None
    domain = text.strip().lower().removesuffix(".")
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels):
        raise ConfigurationError(
            f"{namespace}:{key} is {text!r}; it must be a host name such as api.example.com (letters, digits and "
            f"'-' in dot-separated labels, no scheme or path), e.g. "
            f"{config_command(f'{namespace}:{key}', 'api.example.com', pulumi.get_stack())}"
        )
    return domain
