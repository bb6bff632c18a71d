"""google-cloud failures to portable errors: the same exception types as every other backend."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager

from portable.errors import BackendError, Conflict, InvalidValue, NotFound, ResourceError, TooLarge


@contextmanager
def translated(resource: str, action: str, missing: str) -> Generator[None, None, None]:
    """Raise what the Google clients raise in the block as the portable error; anything else passes through."""
    try:
        yield
    except failures() as exc:
        raise translate(exc, resource, action, missing) from exc


def translate(exc: Exception, resource: str, action: str, missing: str) -> ResourceError:
    """`missing` says what a 404 means here; a 409/412 becomes Conflict with the same text."""
    from google.api_core import exceptions

    message = getattr(exc, "message", None) or str(exc)
    if isinstance(exc, exceptions.NotFound):
        return NotFound(resource, missing)
    if isinstance(exc, (exceptions.Conflict, exceptions.PreconditionFailed, exceptions.Aborted)):
        return Conflict(resource, missing)
    if isinstance(exc, exceptions.BadRequest):
        if "size" in message and ("exceed" in message or "too large" in message.lower()):
            return TooLarge(resource, f"{action}: {message}")
        return InvalidValue(resource, f"{action}: {message}")
    if isinstance(exc, exceptions.Forbidden):
        return BackendError(resource, f"{action} was denied ({message}); is it declared in reads=/writes=?")
    if isinstance(exc, (exceptions.TooManyRequests, exceptions.ServerError)):
        return BackendError(resource, f"{action} was throttled or the service failed ({message}); retry later")
    return BackendError(resource, f"{action} failed: {type(exc).__name__}: {message}")


def failures() -> tuple[type[Exception], ...]:
    """What the Google clients raise on a failed call: API errors, auth errors, transport errors."""
    import requests
    from google.api_core.exceptions import GoogleAPIError
    from google.auth.exceptions import GoogleAuthError

    return GoogleAPIError, GoogleAuthError, requests.RequestException, ConnectionError
