"""Plain settings: `env={...}` per function, `app_env({...})` for the whole app, read with `setting(name)`.

One set of rules for a function's size and its settings, the strictest cloud's (`portable.limits`):
the decorators apply them to what the code declares, the deploy to what a stack's config overrides,
so a wrong value is refused with its place named before anything runs or deploys.

A deployed function gets each setting as an environment variable of that name (the stack's value, else the
declared one), and `PORTABLE_SETTINGS` lists their names. Locally, an environment variable of the same
name overrides the declared value, as a stack's config does when deployed.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping

from portable.app import declared_app_settings, register_app_settings
from portable.context import current_invocation
from portable.errors import AppDefinitionError, ConfigurationError
from portable.limits import MEMORY_MB_MAX, MEMORY_MB_MIN, SETTINGS_MAX_BYTES, TIMEOUT_SECONDS_MAX

SETTINGS_VARIABLE = "PORTABLE_SETTINGS"
# Compiled on first use (re keeps it): a function declared without env= never needs it, at its cold start included.
_NAME = r"[A-Za-z_][A-Za-z0-9_]{0,127}"
# Names the platforms set or keep for themselves (Lambda's reserved variables, Cloud Run's and Cloud Functions'),
# and Portable's own.
RESERVED_PREFIXES = ("PORTABLE_", "AWS_", "LAMBDA_", "X_GOOGLE_", "GOOGLE_", "FUNCTION_", "K_", "CLOUD_RUN_")
RESERVED_NAMES = frozenset(
    {"_HANDLER", "_X_AMZN_TRACE_ID", "TZ", "PORT", "PATH", "LANG", "PYTHONPATH", "LD_LIBRARY_PATH", "HOME"}
)


def check_memory(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not MEMORY_MB_MIN <= value <= MEMORY_MB_MAX:
        raise AppDefinitionError(
            f"{where}: memory_mb is {value!r}; it must be a whole number of MB from {MEMORY_MB_MIN} to "
            f"{MEMORY_MB_MAX} (the range both Lambda and Cloud Functions accept), e.g. 512"
        )
    return value


def check_timeout(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= TIMEOUT_SECONDS_MAX:
        raise AppDefinitionError(
            f"{where}: timeout_seconds is {value!r}; it must be a whole number of seconds from 1 to "
            f"{TIMEOUT_SECONDS_MAX} (Cloud Functions' limit for event functions; Lambda's is 900), e.g. 60"
        )
    return value


def check_env(values: object, where: str) -> dict[str, str]:
    """`values` as settings: a mapping of valid, unreserved names to strings, within the size limit."""
    if not isinstance(values, Mapping):
        raise AppDefinitionError(
            f"{where}: env= takes a dict of names to strings, e.g. env={{'GREETING': 'Hello'}}; "
            f"got {type(values).__name__}"
        )
    checked: dict[str, str] = {}
    for name, value in values.items():
        if not isinstance(name, str) or not re.fullmatch(_NAME, name):
            raise AppDefinitionError(
                f"{where}: setting name {name!r} is not valid: use letters, digits and '_', not starting with a "
                "digit, at most 128 characters (an environment variable name on every cloud), e.g. 'GREETING'"
            )
        if name in RESERVED_NAMES or name.startswith(RESERVED_PREFIXES):
            raise AppDefinitionError(
                f"{where}: setting name {name!r} is reserved by a platform or by Portable (names starting with "
                f"{', '.join(RESERVED_PREFIXES)} and {', '.join(sorted(RESERVED_NAMES))}); choose another name"
            )
        if not isinstance(value, str):
            raise AppDefinitionError(
                f"{where}: setting {name!r} is {value!r} ({type(value).__name__}); settings are strings, e.g. "
                f"{name!r}: {str(value)!r}. For a password or key use portable.secret(...)"
            )
        checked[name] = value
    check_size(checked, where)
    return checked


def check_size(values: Mapping[str, str], where: str) -> None:
    size = sum(len(name.encode()) + len(value.encode()) for name, value in values.items())
    if size > SETTINGS_MAX_BYTES:
        raise AppDefinitionError(
            f"{where}: the settings take {size} bytes, names and values together; the limit is {SETTINGS_MAX_BYTES} "
            "(Lambda keeps 4 KB of environment per function, and Portable's own variables need the rest). Keep "
            "large values in a bucket or a secret"
        )


def app_env(values: Mapping[str, str]) -> None:
    """Settings every function of the app sees (a function's own env= wins on the same name)."""
    frame = sys._getframe(1)
    where = f"{frame.f_code.co_filename}:{frame.f_lineno}"
    register_app_settings(str(frame.f_globals.get("__name__")), check_env(values, where), where)


def setting(name: str, default: str | None = None) -> str:
    """The value of the declared setting `name` for the running function (`default` if it is not declared)."""
    invocation = current_invocation.get()
    function = invocation.function if invocation else None
    declared = declared_app_settings()
    if function is not None:
        declared.update(function.env)
    deployed = os.environ.get(SETTINGS_VARIABLE)
    known = declared.keys() | set(deployed.split(",") if deployed else ())
    if name not in known:
        if default is not None:
            return default
        from portable.suggestions import did_you_mean

        owner = f"the decorator of {function.name!r} at {function.where}" if function else "its decorator"
        raise ConfigurationError(
            f"setting {name!r} is not declared{did_you_mean(name, known)}; add env={{{name!r}: '...'}} to {owner}, "
            f"or portable.app_env({{{name!r}: '...'}}) for every function"
        )
    value = os.environ.get(name)
    if value is None:
        value = declared.get(name, default if default is not None else "")
    return value
