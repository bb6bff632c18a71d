"""Every error a handler or an App declaration can meet, the same on every cloud."""

from __future__ import annotations

from collections.abc import Sequence


class PortableError(Exception):
    """Base of every error raised by Portable itself."""


class AppDefinitionError(PortableError):
    """A declaration in `functions/` cannot work: it names the place and the fix."""


class ConfigurationError(PortableError):
    """The environment a function runs in lacks a setting it needs."""


class HttpError(PortableError):
    """Raise from an HTTP handler to answer with `status` and a JSON error body.

    `errors` lists what was wrong field by field, as a typed route's 422 does:
    `[{"location": "body.title", "message": "Field required", "type": "missing"}]`; the body carries it as `errors`.
    """

    def __init__(self, status: int, message: str, *, errors: list[dict[str, str]] | None = None) -> None:
        if not 400 <= status <= 599:
            raise ValueError(f"HttpError status must be 4xx or 5xx, got {status}")
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors

    def body_fields(self) -> dict[str, object] | None:
        """What the error body holds besides error, status and request_id."""
        return {"errors": self.errors} if self.errors is not None else None


class InvalidReply(PortableError):
    """A typed handler returned what its annotation does not allow: a 500, logged with every mismatch."""

    def __init__(self, message: str, errors: Sequence[object]) -> None:
        super().__init__(message)
        self.errors = errors


class MalformedEvent(PortableError):
    """A native event a shim cannot read: the sender's fault, so it is rejected and never retried."""


class EventFailed(PortableError):
    """An object or schedule handler failed; the cloud is told so that it retries."""


class Retried(Exception):
    """A delivery that failed on purpose, having logged why: retried by the platform without a traceback."""


class ResourceError(PortableError):
    """A bucket or table operation failed; `resource` is its logical name."""

    def __init__(self, resource: str, message: str) -> None:
        super().__init__(f"{resource}: {message}")
        self.resource = resource


class NotFound(ResourceError):
    """The bucket, table, object or item does not exist."""


class Conflict(ResourceError):
    """A conditional write lost: the item exists, or its version changed."""


class TooLarge(ResourceError):
    """An object or item exceeds what the backing service accepts."""


class InvalidKey(ResourceError):
    """A key breaks the backing service's naming rules."""


class AccessNotDeclared(ResourceError):
    """The function used a resource it did not declare in reads= or writes=."""


class BackendError(ResourceError):
    """The backing service failed or throttled; the operation did not happen."""


class InvalidValue(ResourceError):
    """A table document, metadata or option breaks the portable rules; the message says which."""
