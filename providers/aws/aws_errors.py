"""botocore failures sorted into portable kinds: the table from AWS error codes to portable errors."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from typing import Any

from providers.data_errors import Failure, Kind, translating

_KINDS: dict[str, Kind] = {
    "NoSuchKey": "missing",
    "404": "missing",
    "NotFound": "missing",
    "AWS.SimpleQueueService.NonExistentQueue": "missing",
    "QueueDoesNotExist": "missing",
    "NoSuchBucket": "no_container",
    "ResourceNotFoundException": "no_container",
    "ConditionalCheckFailedException": "conflict",
    "EntityTooLarge": "too_large",
    "KeyTooLongError": "invalid_key",
    "ValidationException": "invalid_value",
    "InvalidMessageContents": "invalid_value",
    "AccessDenied": "denied",
    "AccessDeniedException": "denied",
    **dict.fromkeys(
        (
            "SlowDown",
            "Throttling",
            "ThrottlingException",
            "ProvisionedThroughputExceededException",
            "RequestLimitExceeded",
            "ServiceUnavailable",
            "InternalError",
            "InternalServerError",
        ),
        "throttled",
    ),
}
# Codes whose meaning is fixed whatever the message says; any other code saying the item is too big is.
_DEFINITE: frozenset[Kind] = frozenset({"missing", "no_container", "conflict"})


@contextmanager
def translated(resource: str, action: str, missing: str) -> Generator[None, None, None]:
    """Raise what boto3 raises in the block as the portable error; anything else passes through."""
    with translating(failures, classify, resource, action, missing):
        yield


def failures() -> tuple[type[Exception], ...]:
    """What boto3 raises on a failed call: AWS's replies and failures to reach AWS."""
    from botocore.exceptions import BotoCoreError, ClientError

    return ClientError, BotoCoreError


def classify(exc: Exception) -> Failure:
    response: dict[str, Any] = getattr(exc, "response", None) or {}
    error = response.get("Error", {})
    code = str(error.get("Code", ""))
    message = str(error.get("Message", "")) or str(exc)
    kind = _KINDS.get(code, "failed")
    if kind not in _DEFINITE and "size has exceeded" in message:
        kind = "too_large"
    if kind in ("no_container", "too_large", "invalid_key", "invalid_value", "denied"):
        return Failure(kind, message)
    if kind == "throttled":
        return Failure(kind, code)
    return Failure(kind, f"{code or type(exc).__name__}: {message}")
