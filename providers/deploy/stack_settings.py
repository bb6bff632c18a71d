"""A stack's overrides of what the code declares: each function's memory, timeout and settings, the app's settings.

In Pulumi.<stack>.yaml (or with `pulumi config set --path ...`):

    portable:env:                      # every function's settings
      GREETING: Hi
    portable:functions:
      hello:                           # one function, by its portable name
        memory_mb: 512
        timeout_seconds: 10
        env:
          GREETING: Hello from prod

A stack overrides only what the code declares (a setting's name must be declared with env= or app_env),
and the values obey the same rules as in code (`portable.settings`). The most specific value wins: a
function's own setting (its env=, then portable:functions.<name>.env) over the app's (app_env, then
portable:env). Everything is checked when the
program starts; an error names the key and the command that fixes it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pulumi

from portable.app import App, FunctionSpec
from portable.errors import AppDefinitionError, ConfigurationError
from portable.settings import check_env, check_memory, check_size, check_timeout
from providers.deploy.config import config_command

FUNCTION_KEYS: dict[str, Callable[[object, str], int]] = {"memory_mb": check_memory, "timeout_seconds": check_timeout}
EXAMPLES = {"memory_mb": "512", "timeout_seconds": "60"}
ENV_KEY = "env"


def _number(value: object) -> object:
    """`pulumi config set --path` may keep a number as text."""
    return int(value) if isinstance(value, str) and value.isdigit() else value


def _mapping(value: object, key: str, example: str, stack: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigurationError(
            f"{key} is {value!r}; it must be a mapping, e.g. {config_command(f'--path {key}.{example}', '...', stack)}"
        )
    return value


def _object(key: str, stack: str) -> Mapping[str, Any]:
    namespace, _, name = key.partition(":")
    try:
        value = pulumi.Config(namespace).get_object(name)
    except ValueError:
        value = pulumi.Config(namespace).get(name)
    return {} if value is None else _mapping(value, key, "NAME", stack)


def _checked(check: Callable[[Any, str], Any], value: object, key: str, example: str, stack: str) -> Any:
    """`check(value)`, the refusal turned into a ConfigurationError that names the key and the command."""
    try:
        return check(value, key)
    except AppDefinitionError as exc:
        raise ConfigurationError(f"{exc}; fix it with {config_command(f'--path {key}', example, stack)}") from None


def _env(value: object, key: str, declared: Mapping[str, str], stack: str) -> dict[str, str]:
    values = dict(_mapping(value, key, "NAME", stack))
    for name in values:
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise ConfigurationError(
                f"{key}.{name} overrides a setting the code does not declare (declared: {known}); declare it with "
                f"env={{{name!r}: '...'}} or portable.app_env(...), or remove it with "
                f"`pulumi config rm --path {key}.{name} --stack {stack}`"
            )
    plain = {
        name: str(item) if isinstance(item, int) and not isinstance(item, bool) else item
        for name, item in values.items()
    }
    checked: dict[str, str] = _checked(check_env, plain, key, "NAME value", stack)
    return checked


def with_stack_settings(app: App, stack: str) -> App:
    """`app` with the stack's memory, timeout and settings in each function (`Function.env` then holds every
    setting the function gets: the app's, its own, and the stack's overrides of both)."""
    app_env = {**app.env, **_env(_object("portable:env", stack), "portable:env", app.env, stack)}
    overrides = _object("portable:functions", stack)
    unknown = sorted(overrides.keys() - app.functions.keys())
    if unknown:
        raise ConfigurationError(
            f"portable:functions.{unknown[0]} names no function; the functions are "
            f"{', '.join(sorted(app.functions))}. Remove it with "
            f"`pulumi config rm --path portable:functions.{unknown[0]} --stack {stack}`"
        )
    for name, spec in list(app.functions.items()):
        app.functions[name] = _overridden(spec, app_env, overrides.get(name, {}), stack)
    return app


def _overridden(spec: FunctionSpec, app_env: dict[str, str], override: object, stack: str) -> FunctionSpec:
    key = f"portable:functions.{spec.name}"
    values = _mapping(override, key, "memory_mb", stack)
    unknown = sorted(values.keys() - {*FUNCTION_KEYS, ENV_KEY})
    if unknown:
        raise ConfigurationError(
            f"{key}.{unknown[0]} is not a function setting; a stack can set {', '.join([*FUNCTION_KEYS, ENV_KEY])}"
        )
    sizes = {
        option: _checked(check, _number(values[option]), f"{key}.{option}", EXAMPLES[option], stack)
        for option, check in FUNCTION_KEYS.items()
        if option in values
    }
    declared = {**app_env, **dict(spec.env)}
    env = {**declared, **_env(values.get(ENV_KEY, {}), f"{key}.{ENV_KEY}", declared, stack)}
    _checked(check_size, env, f"{key}.{ENV_KEY}", "NAME value", stack)
    return spec._replace(env=tuple(sorted(env.items())), **sizes)
