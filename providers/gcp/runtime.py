"""functions-framework targets for every function, as Cloud Functions gen2 runs them.

Each target has the HTTP signature: HTTP routes, Eventarc's CloudEvents, Cloud Scheduler's calls and
Pub/Sub's pushes all arrive as HTTP requests, and answering the status ourselves keeps errors identical
to AWS (no tracebacks in bodies, one log line). Whatever the kind, a target goes the same way: the
function's codec (`<kind>_codec.py`, found through `portable/triggers.py`) decodes the request, the
kind's delivery rule runs the handler, and the reply says what happened: 2xx acknowledges, 400 refuses
what cannot be read (never retried), 500 asks the platform to deliver again. Where the platform does
not count attempts (Eventarc), the delivery rule ends the retries and the event is logged as a dead
letter; the reply then carries `X-Portable-Dead-Lettered` with the reason, which the local runner reads.

A deployed archive's `main.py` is generated (`providers/deploy/entry_modules.py`) and binds its one
function at import with `target`; the project's own `main.py` exports every function with
`export_targets` (the local runner, functions-framework in development).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, NamedTuple

import flask

from portable.app import FunctionSpec, load_function
from portable.cors_policy import ENVIRONMENT_VARIABLE as CORS_VARIABLE
from portable.cors_policy import Cors, declared_for, from_environment
from portable.delivery import Bound, Settled, dead_letter
from portable.replies import HttpReply, debug_detail, error_reply
from portable.request import Headers
from portable.triggers import codec_name, trigger_module
from providers.binding import client_factory, provider_for
from providers.gcp.http_codec import log_style, request_id_of, trace_of

Target = Callable[[flask.Request], Any]
CLOUD = "gcp"
DEAD_LETTER_HEADER = "X-Portable-Dead-Lettered"


class Selection(NamedTuple):
    """Which functions `export_targets` serves, on which provider's data clients, and whether 500 replies carry
    the exception (`portable dev --debug`). With `counts_attempts`, the caller delivers events as a platform that
    counts attempts and keeps dead letters (the local runner): the shim leaves the end of Eventarc's retries to it,
    and an event function's 500 replies carry the exception, for its dead letter."""

    package: str
    provider: str
    debug: bool = False
    counts_attempts: bool = False


_selection: ContextVar[Selection | None] = ContextVar("portable_gcp_selection", default=None)


@contextmanager
def exporting(package: str, provider: str, debug: bool = False, counts_attempts: bool = False) -> Iterator[None]:
    """Inside the block, `export_targets` serves every function of `package` on `provider`'s data.

    The local runner builds functions-framework apps from main.py this way, without
    touching the process environment; a deployed function never runs inside it, so
    neither `debug` nor `counts_attempts` ever reaches a cloud.
    """
    token = _selection.set(Selection(package, provider, debug, counts_attempts))
    try:
        yield
    finally:
        _selection.reset(token)


def make_target(bound: Bound[Any], counts_attempts: bool = False) -> Target:
    """The target of one function: its codec and delivery rule, found once. With `counts_attempts`, its caller
    ends the retries where the platform does not (see `Selection`), and a failed event's 500 carries the
    exception."""
    kind = trigger_module(bound.spec.kind)
    codec = importlib.import_module(codec_name(CLOUD, bound.spec.kind))
    ends_here = not (codec.COUNTS_ATTEMPTS or counts_attempts)
    ending = (lambda event, attempted: kind.retries_ended(bound, event, attempted)) if ends_here else None
    detailed = bound.debug or counts_attempts
    style = log_style()

    def target(req: flask.Request) -> Any:
        headers = Headers(req.headers.items())
        result = kind.deliver(bound, codec.decode(req, headers, bound), ending, lambda: trace_of(headers, style))
        if isinstance(result, HttpReply):
            return _to_flask(codec.encode_reply(result, req, headers, bound))
        return _to_flask(_event_reply(bound, kind, result, headers, detailed))

    target.__name__ = bound.spec.name
    return target


def _event_reply(bound: Bound[Any], kind: Any, settled: Settled, headers: Headers, detailed: bool) -> HttpReply:
    """204 acknowledges; a refused event is 400 (the sender's fault: nothing retries it usefully); a failed one
    500, so the platform delivers it again (`detailed`: with the handler's exception); an event whose retries end
    here is logged whole and acknowledged."""
    if settled.refusals:
        return error_reply(400, settled.refusals[0], request_id_of(headers))
    if settled.failed:
        raised = settled.raised[0] if detailed and settled.raised else None
        return error_reply(
            500, settled.errors[0], request_id_of(headers), debug_detail(raised) if raised is not None else None
        )
    reply = HttpReply(204)
    for _, reason, event in settled.dead_lettered:
        dead_letter(bound, reason, kind.to_record(event))
        reply.headers.add(DEAD_LETTER_HEADER, reason)
    return reply


def dead_lettered(status: int, headers: Any) -> str | None:
    """Why an acknowledged delivery was dead-lettered by the target (its retries ended there), else None."""
    reason = headers.get(DEAD_LETTER_HEADER) if 200 <= status < 300 else None
    return str(reason) if reason else None


def _to_flask(reply: HttpReply) -> Any:
    headers = reply.headers.pairs + [("Set-Cookie", cookie) for cookie in reply.cookies]
    response = flask.Response(reply.body, status=reply.status, headers=headers)
    if "Content-Type" not in reply.headers:  # werkzeug would add text/html for a reply that has none
        del response.headers["Content-Type"]
    return response


def target(function: str, module: str, provider: str = CLOUD) -> Target:
    """The functions-framework target of `function` (declared in `module`), bound once, at the import of the
    deployed archive's main.py; an HTTP function takes the App's CORS policy from PORTABLE_CORS, read then."""
    import functions_framework

    spec, handler = load_function(function, module)
    cors = os.environ.get(CORS_VARIABLE)
    policy = from_environment(cors) if cors else None
    bound: Bound[Any] = Bound.of(spec, handler, client_factory(provider), cors=policy)
    registered: Target = functions_framework.http(make_target(bound))
    return registered


def export_targets() -> dict[str, Target]:
    """One functions-framework target per function, registered with the HTTP signature.

    Inside `exporting(...)`, every function of that package on that provider. Otherwise, read once at import:
    with PORTABLE_FUNCTION set only that function loads (from PORTABLE_MODULE, or the whole package), else
    every function of PORTABLE_PACKAGE (default `functions`); PORTABLE_PROVIDER=local binds the local buckets
    and tables instead of GCP's.
    """
    import functions_framework

    from portable.loading import load_app

    selection = _selection.get()
    name = os.environ.get("PORTABLE_FUNCTION") if selection is None else None
    package = selection.package if selection else os.environ.get("PORTABLE_PACKAGE") or "functions"
    loaded: list[tuple[FunctionSpec, Callable[..., Any]]]
    module = os.environ.get("PORTABLE_MODULE")
    if name and module:
        loaded = [load_function(name, module)]
    else:
        app = load_app(package)
        loaded = [(spec, app.handlers[spec.name]) for spec in app.functions.values() if name in (None, "", spec.name)]
    clients = client_factory(selection.provider if selection else provider_for(CLOUD))
    cors = _cors(package, None if selection else os.environ.get(CORS_VARIABLE), bool(name))
    debug = selection.debug if selection else False
    counts_attempts = selection.counts_attempts if selection else False
    return {
        spec.name: functions_framework.http(
            make_target(Bound.of(spec, handler, clients, debug=debug, cors=cors), counts_attempts)
        )
        for spec, handler in loaded
    }


def _cors(package: str, deployed: str | None, one_function: bool) -> Cors | None:
    """The deploy's policy (the stack's origins applied) if it set one; else, serving a whole package, the one it
    declares. A deployed function without PORTABLE_CORS has none: the deploy sets it whenever the App declares one."""
    if deployed:
        return from_environment(deployed)
    return None if one_function else declared_for(package)
