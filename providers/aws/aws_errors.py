"""botocore failures to portable errors: the same exception types as every other backend."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from typing import Any

from portable.errors import BackendError, Conflict, InvalidKey, InvalidValue, NotFound, ResourceError, TooLarge

_THROTTLED = {"SlowDown", "Throttling", "ThrottlingException", "ProvisionedThroughputExceededException",
              "RequestLimitExceeded", "ServiceUnavailable", "InternalError", "InternalServerError"}


@contextmanager
def translated(resource: str, action: str, missing: str) -> Generator[None, None, None]:
    """Raise what boto3 raises in the block as the portable error; anything else passes through."""
    try:
        yield
    except failures() as exc:
        raise translate(exc, resource, action, missing) from exc


def failures() -> tuple[type[Exception], ...]:
    """What boto3 raises on a failed call: AWS's replies and failures to reach AWS."""
    from botocore.exceptions import BotoCoreError, ClientError

    return ClientError, BotoCoreError


def translate(exc: Exception, resource: str, action: str, missing: str) -> ResourceError:
    """`missing` says what a 404 means here (e.g. "no object 'a.jpg'")."""
    response: dict[str, Any] = getattr(exc, "response", None) or {}
    error = response.get("Error", {})
    code = str(error.get("Code", ""))
    message = str(error.get("Message", "")) or str(exc)
    if code in ("NoSuchKey", "404", "NotFound"):
        return NotFound(resource, missing)
    if code in ("NoSuchBucket", "ResourceNotFoundException"):
        return NotFound(resource, f"the {action} failed because the bucket or table does not exist ({message}); "
                        "deploy the stack, or check the PORTABLE_BUCKET_*/PORTABLE_TABLE_* variable")
    if code == "ConditionalCheckFailedException":
        return Conflict(resource, missing)
    if code == "EntityTooLarge" or "size has exceeded" in message:
        return TooLarge(resource, f"{action}: {message}")
    if code == "KeyTooLongError":
        return InvalidKey(resource, f"{action}: {message}")
    if code == "ValidationException":
        return InvalidValue(resource, f"{action}: {message}")
    if code in ("AccessDenied", "AccessDeniedException"):
        return BackendError(resource, f"{action} was denied ({message}); is it declared in reads=/writes=?")
    if code in _THROTTLED:
        return BackendError(resource, f"{action} was throttled or the service failed ({code}); retry later")
    return BackendError(resource, f"{action} failed: {code or type(exc).__name__}: {message}")
