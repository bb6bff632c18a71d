"""Cloud failures to portable errors: what each kind of failure becomes, worded once for every cloud.

A cloud's errors module only sorts its native exceptions into a `Failure` kind (the table
from cloud codes to portable ones); the exception type and the message that names the
fix are decided here.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from contextlib import contextmanager
from typing import Literal, NamedTuple

from portable.errors import BackendError, Conflict, InvalidKey, InvalidValue, NotFound, ResourceError, TooLarge

Kind = Literal[
    "missing", "no_container", "conflict", "too_large", "invalid_key", "invalid_value", "denied", "throttled", "failed"
]


class Failure(NamedTuple):
    """A native failure sorted into a portable kind; `detail` is the cloud's own words for it."""

    kind: Kind
    detail: str


Classify = Callable[[Exception], Failure]


def portable_error(failure: Failure, resource: str, action: str, missing: str) -> ResourceError:
    """`missing` says what a 404 or a lost condition means here (e.g. "no object 'a.jpg'")."""
    kind, detail = failure
    if kind == "missing":
        return NotFound(resource, missing)
    if kind == "no_container":
        return NotFound(
            resource,
            f"the {action} failed because the bucket, table or secret does not exist "
            f"({detail}); deploy the stack, or check the PORTABLE_BUCKET_*/PORTABLE_TABLE_*/"
            "PORTABLE_SECRET_* variable",
        )
    if kind == "conflict":
        return Conflict(resource, missing)
    if kind == "denied":
        return BackendError(resource, f"{action} was denied ({detail}); is it declared in reads=/writes=?")
    if kind == "throttled":
        return BackendError(resource, f"{action} was throttled or the service failed ({detail}); retry later")
    if kind == "failed":
        return BackendError(resource, f"{action} failed: {detail}")
    return _DETAILED[kind](resource, f"{action}: {detail}")


_DETAILED: dict[Kind, type[ResourceError]] = {
    "too_large": TooLarge,
    "invalid_key": InvalidKey,
    "invalid_value": InvalidValue,
}


@contextmanager
def translating(
    failures: Callable[[], tuple[type[Exception], ...]],
    classify: Classify,
    resource: str,
    action: str,
    missing: str,
) -> Generator[None, None, None]:
    """Raise what a cloud SDK raises in the block as the portable error; anything else passes through.

    `failures` is called only when an exception arrives, so the SDK is not imported before.
    """
    try:
        yield
    except failures() as exc:
        raise portable_error(classify(exc), resource, action, missing) from exc
