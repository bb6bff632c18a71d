"""The Lambda entry point of every function, bound to its function once per process.

A deployed archive carries a generated entry module (`portable_entry.py`, see
`providers/deploy/entry_modules.py`) that binds its function when Lambda imports it:

    handler = providers.aws.runtime.bind("greet", "functions.hello")

Each call then goes the same way whatever the kind: the function's codec (`<kind>_codec.py`, found
through `portable/triggers.py`) decodes the native event, the kind's delivery rule runs the handler,
and the codec encodes the native reply. An HTTP call never raises; an event that failed raises
EventFailed (Lambda retries it) or is named in the reply (SQS and stream batches). Tests and
`portable invoke` bind explicitly, to local data (`provider="local"`).
"""

from __future__ import annotations

import importlib

from portable import log
from portable.app import load_function
from portable.delivery import Bound
from portable.errors import EventFailed, PortableError
from portable.runtime_typing import TYPE_CHECKING
from portable.triggers import codec_name, trigger_module
from providers.aws.trace_header import platform_trace
from providers.binding import client_factory

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType
    from typing import Any

    from portable.app import Trigger
    from portable.cors_policy import Cors

    Event = dict[str, Any]

CLOUD = "aws"


class Entry:
    """One function bound for the life of the process: what Lambda calls with each event.

    `provider` names the data clients behind the function's handles: `aws`, or `local` for tests and
    `portable invoke`. Only on `aws` does a codec act on the cloud after its reply (holding failed SQS
    messages back for the portable backoff).
    """

    __slots__ = ("after", "bound", "codec", "kind", "provider")

    def __init__(self, bound: Bound[Trigger], provider: str = CLOUD) -> None:
        kind = bound.spec.kind
        self.bound = bound
        self.provider = provider
        self.kind: ModuleType = trigger_module(kind)
        self.codec: ModuleType = importlib.import_module(codec_name(CLOUD, kind))
        self.after: Callable[..., None] | None = getattr(self.codec, "after_reply", None) if provider == CLOUD else None

    def __repr__(self) -> str:
        return f"Entry({self.bound.spec.name!r}, {self.provider!r})"

    def __call__(self, event: Any, context: Any = None) -> Any:
        """Decode `event` with the function's codec, deliver it by its kind's rule, encode the reply (one frame:
        this is every call's path)."""
        request_id = getattr(context, "aws_request_id", None)
        if not isinstance(event, dict):
            return _rejected(f"expected a JSON object event, got {type(event).__name__}", request_id=request_id)
        codec = self.codec
        if not codec.recognises(event):
            return _wrong_event(self, event, request_id)
        result = self.kind.deliver(
            self.bound, codec.decode(event, self.bound, request_id), None, lambda: platform_trace(event)
        )
        reply = codec.encode_reply(result, event)
        if self.after is not None and result.failed:
            self.after(result, event, self.bound)
        return reply


class LambdaContext:
    """The part of Lambda's context object the entry reads: the invocation's request id."""

    __slots__ = ("aws_request_id",)

    def __init__(self, aws_request_id: str | None) -> None:
        self.aws_request_id = aws_request_id


def serve(entry: Entry, event: Event, request_id: str | None = None) -> Any:
    """`entry`'s reply to `event`, as Lambda gets it when it invokes the function with `request_id`."""
    return entry(event, LambdaContext(request_id))


def bind(function: str, module: str, provider: str = CLOUD) -> Entry | Broken:
    """The entry of `function` (declared in `module`) with `provider`'s data clients; one that cannot load answers
    each call with the error (500 to HTTP, EventFailed to events), as Lambda shows it in the function's logs."""
    try:
        spec, handler = load_function(function, module)
        return Entry(Bound.of(spec, handler, client_factory(provider), cors=_cors()), provider)
    except PortableError as exc:
        return Broken(str(exc))


def _cors() -> Cors | None:
    """The App's CORS policy, which the deploy hands an HTTP function in PORTABLE_CORS (read once, when it is bound):
    API Gateway answers preflights and adds the CORS headers by it, and under it every reply varies by Origin."""
    import os

    from portable.cors_policy import ENVIRONMENT_VARIABLE

    text = os.environ.get(ENVIRONMENT_VARIABLE)
    if not text:
        return None
    from portable.cors_policy import from_environment

    return from_environment(text)


class Broken:
    """The entry of a function that cannot load: every call says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __call__(self, event: Any, context: Any = None) -> Any:
        request_id = getattr(context, "aws_request_id", None)
        log.error("function cannot load", error=self.reason, request_id=request_id)
        from providers.aws import http_codec

        if isinstance(event, dict) and http_codec.recognises(event):
            return _http_error(event, 500, "function is misconfigured", request_id)
        raise EventFailed(f"function cannot load: {self.reason}")


def handler(event: Any, context: Any = None) -> Any:
    """The entry of the function named by PORTABLE_FUNCTION (in PORTABLE_MODULE) on PORTABLE_PROVIDER's data, bound
    anew for each call: what Lambda ran before archives carried their entry module, kept for a function deployed
    with it or started by hand. A deployed archive's `portable_entry.handler` binds once and is faster."""
    import os

    function, module = os.environ.get("PORTABLE_FUNCTION"), os.environ.get("PORTABLE_MODULE")
    if not function or not module:
        return Broken("PORTABLE_FUNCTION and PORTABLE_MODULE name the function this Lambda runs: set both")(
            event, context
        )
    return bind(function, module, os.environ.get("PORTABLE_PROVIDER") or CLOUD)(event, context)


def _rejected(reason: str, **fields: Any) -> dict[str, Any]:
    log.error("event rejected: " + reason, **fields)
    return {"status": 400, "error": reason}


def _http_error(event: Event, status: int, message: str, request_id: str | None) -> dict[str, Any]:
    from portable.delivery import new_request_id
    from portable.replies import error_reply
    from providers.aws import http_codec

    fallback_id = http_codec.request_id_of(event) or request_id or new_request_id()
    return http_codec.encode_reply(error_reply(status, message, fallback_id), event)


def _wrong_event(entry: Entry, event: Event, request_id: str | None) -> dict[str, Any]:
    from providers.aws import http_codec

    spec = entry.bound.spec
    if http_codec.recognises(event):
        log.error("HTTP request reached a function without an HTTP route", function=spec.name)
        return _http_error(event, 404, "no HTTP route here", request_id)
    return _rejected(
        f"unknown event shape: function {spec.name!r} takes {spec.kind} events",
        function=spec.name,
        keys=sorted(event)[:20],
    )
