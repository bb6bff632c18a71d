"""google-cloud failures sorted into portable kinds: the table from Google's exceptions to portable errors."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager

from providers.data_errors import Failure, Kind, translating


@contextmanager
def translated(resource: str, action: str, missing: str) -> Generator[None, None, None]:
    """Raise what the Google clients raise in the block as the portable error; anything else passes through."""
    with translating(failures, classify, resource, action, missing):
        yield


def classify(exc: Exception) -> Failure:
    """A 409/412 (and Firestore's Aborted) is a lost condition, as DynamoDB's ConditionalCheckFailed."""
    from google.api_core import exceptions

    message = getattr(exc, "message", None) or str(exc)
    table: list[tuple[tuple[type[Exception], ...], Kind]] = [
        ((exceptions.NotFound,), "missing"),
        ((exceptions.Conflict, exceptions.PreconditionFailed, exceptions.Aborted), "conflict"),
        ((exceptions.BadRequest,), "invalid_value"),
        ((exceptions.Forbidden,), "denied"),
        ((exceptions.TooManyRequests, exceptions.ServerError), "throttled"),
    ]
    kind: Kind = next((kind for types, kind in table if isinstance(exc, types)), "failed")
    if kind == "invalid_value" and "size" in message and ("exceed" in message or "too large" in message.lower()):
        kind = "too_large"
    return Failure(kind, f"{type(exc).__name__}: {message}" if kind == "failed" else message)


def failures() -> tuple[type[Exception], ...]:
    """What the Google clients raise on a failed call: API errors, auth errors, transport errors."""
    import requests
    from google.api_core.exceptions import GoogleAPIError
    from google.auth.exceptions import GoogleAuthError

    return GoogleAPIError, GoogleAuthError, requests.RequestException, ConnectionError
