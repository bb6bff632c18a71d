"""The `http` kind: a route, how a request reaches its handler, and what the caller gets back.

    @http("POST /hello", auth=users)
    def hello(request: Request) -> dict: ...

The portable event is `portable.request.Request`; the handler's result becomes an `HttpReply`
(`portable.replies`). Delivery: one call per request, never retried by a platform; the caller's faults
are 4xx, the handler's 500 (with a request id and no traceback). A gateway stands in front on every
target: it picks the route (`route`), answers 404/405 itself, and verifies the token of a route
declared with `auth=`; the handler of an open route never sees claims (`reads_claims`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from portable import log
from portable.app import App, Function
from portable.context import current_invocation
from portable.decorators import HTTP_TIMEOUT_SECONDS, make_registrar
from portable.delivery import entering, formatted_traceback, new_request_id
from portable.errors import AppDefinitionError, HttpError, InvalidReply
from portable.limits import REQUEST_BODY_MAX_BYTES, REQUEST_HEADERS_MAX_BYTES
from portable.replies import HttpReply, debug_detail, error_reply, render, unauthorized, varying_by_origin
from portable.routes import Route, RouteError, parse_route
from portable.runtime_typing import TYPE_CHECKING, NamedTuple
from portable.tracing import CallTrace, continued, platform_of, spans

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from typing_extensions import Unpack

    from portable.app import ResourceKind
    from portable.auth import JwtAuth
    from portable.context import ClientFactory
    from portable.decorators import FunctionOptions, Handler
    from portable.delivery import Bound, Ending
    from portable.http_types import HttpTypes
    from portable.request import Request
    from portable.tracing import TraceSource


class HttpTrigger(NamedTuple):
    route: Route
    auth: JwtAuth | None = None  # the issuer whose token the route requires; None: open to anyone
    types: HttpTypes | None = None  # a typed handler's declarations (portable.http_types); None: a plain handler

    @property
    def source(self) -> str | None:
        return None

    @property
    def source_kind(self) -> ResourceKind | None:
        return None

    @property
    def retries_refusal(self) -> str | None:
        return "an HTTP function takes no retries=: its caller gets the error and decides whether to call again"

    @property
    def handler_parameter(self) -> str | None:
        """A typed handler's parameters were checked by portable.http_types, which binds them by name."""
        return "request: Request" if self.types is None else None


HttpFunction = Function[HttpTrigger]


def http(
    route: str,
    *,
    auth: JwtAuth | None = None,
    status: int = 200,
    **options: Unpack[FunctionOptions],
) -> Callable[[Handler], Handler]:
    """Serve `route` ("POST /hello", "GET /users/{id}") with the decorated function.

    `auth=users` (from `users = jwt_auth(...)`) lets only callers with a valid token of that issuer in.
    A handler may declare typed parameters (`body: NoteIn`, `query: NotesQuery`, a route parameter `note_id: int`)
    and a typed reply (`-> NoteOut`): see portable.http_types. `status` is the status of a reply that is not None
    (201 for a route that creates something).
    """

    def register(handler: Handler) -> Handler:
        scope = _declaring_scope()

        def trigger(where: str) -> HttpTrigger:
            if auth is not None and not isinstance(auth, _jwt_auth_type()):
                raise AppDefinitionError(f"{where}: auth= takes what portable.jwt_auth(...) returns, got {auth!r}")
            try:
                parsed = parse_route(route)
            except RouteError as exc:
                raise AppDefinitionError(f"{where}: {exc}") from None
            if status == 200 and _plain(handler, parsed.params):
                return HttpTrigger(parsed, auth)
            from portable.http_types import http_types  # only typed handlers load the validators

            return HttpTrigger(parsed, auth, http_types(handler, parsed, status, where, scope))

        return make_registrar(trigger, options, timeout_seconds=HTTP_TIMEOUT_SECONDS)(handler)

    return register


# The return annotations of a plain handler: nothing in them is validated, so a cold start needs no validator.
_PLAIN_NAMES = frozenset({"dict", "list", "str", "bytes", "None", "Any", "object", "Response", "typing.Any"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def _plain(handler: Callable[..., Any], route_params: tuple[str, ...]) -> bool:
    """Whether `handler` takes just the request and declares no typed reply, read without evaluating anything."""
    code = handler.__code__
    if code.co_argcount + code.co_kwonlyargcount > 1 or code.co_flags & 0x0C:  # more parameters, *args, **kwargs
        return False
    if code.co_varnames[:1] and code.co_varnames[0] in ("body", "query", *route_params):
        return False
    returned = handler.__annotations__.get("return", "None")
    if not isinstance(returned, str):
        returned = getattr(returned, "__name__", "") if isinstance(returned, type) else repr(returned)
        returned = returned or "None"
    return all(name in _PLAIN_NAMES for name in _NAME.findall(returned))


def _declaring_scope() -> dict[str, Any]:
    """The local names where the decorated function is written (a class defined in a function, say), for
    annotations that are strings; a module's own names are its globals."""
    import sys

    frame = sys._getframe(2)
    return dict(frame.f_locals) if frame.f_locals is not frame.f_globals else {}


def _jwt_auth_type() -> type:
    """JwtAuth, loaded only where a route names one (whose module made it with `jwt_auth`, so it is loaded): an open
    route's cold start does without portable.auth."""
    from portable.auth import JwtAuth

    return JwtAuth


# The App ---------------------------------------------------------------------


def functions(app: App) -> list[HttpFunction]:
    return app.functions_of(HttpTrigger)


def route(app: App, method: str, path: str) -> tuple[HttpFunction | None, list[str]]:
    """The function the clouds' gateways call for (method, path): among the routes whose path matches, the most
    specific path (literal text before a parameter, a greedy one last), and on it the method itself before ANY.
    Else None, and the methods the matching paths take (for a 405)."""
    matching = [spec for spec in functions(app) if spec.trigger.route.match(path) is not None]
    matching.sort(key=lambda spec: spec.trigger.route.specificity, reverse=True)
    for shape in dict.fromkeys(spec.trigger.route.path_shape for spec in matching):
        methods = {spec.trigger.route.method: spec for spec in matching if spec.trigger.route.path_shape == shape}
        chosen = methods.get(method.upper()) or methods.get("ANY")
        if chosen is not None:
            return chosen, []
    return None, sorted({spec.trigger.route.method for spec in matching})


def auths(app: App) -> list[JwtAuth]:
    """Every JwtAuth a route requires, each once, by name."""
    found = {spec.trigger.auth.name: spec.trigger.auth for spec in functions(app) if spec.trigger.auth}
    return [found[name] for name in sorted(found)]


def check_app(app: App) -> None:
    """Two routes of one shape, two issuers of one name, and (with CORS) an auth route that takes OPTIONS."""
    routes: dict[str, HttpFunction] = {}
    for spec in functions(app):
        shape = spec.trigger.route.shape
        if shape in routes:
            clash = routes[shape]
            raise AppDefinitionError(
                f"route {spec.trigger.route.key!r} at {spec.where} ({spec.name}) clashes with "
                f"{clash.trigger.route.key!r} at {clash.where} ({clash.name}); "
                "give one of them another method or path"
            )
        routes[shape] = spec
    _refuse_auth_name_clash(functions(app))
    if app.cors is not None:
        _refuse_any_route_with_auth(functions(app))


def _refuse_auth_name_clash(specs: list[HttpFunction]) -> None:
    found: dict[str, HttpFunction] = {}
    for spec in specs:
        auth = spec.trigger.auth
        other = found.setdefault(auth.name, spec) if auth else spec
        if auth and other.trigger.auth != auth:
            raise AppDefinitionError(
                f"{spec.where} ({spec.name}) and {other.where} ({other.name}) require two different "
                f"jwt_auth(...) named {auth.name!r}; the stack's config and the gateways tell them apart by name: "
                "pass name='...' to one of them"
            )


def _refuse_any_route_with_auth(specs: list[HttpFunction]) -> None:
    """With CORS, API Gateway on AWS sends a browser's preflight to a route that takes OPTIONS, and its JWT
    authorizer refuses it (a preflight carries no token): refused everywhere, as every limit is."""
    for spec in specs:
        declared = spec.trigger.route
        if spec.trigger.auth is not None and declared.allows("OPTIONS"):
            raise AppDefinitionError(
                f"{spec.where} ({spec.name}): route {declared.key!r} requires auth and takes OPTIONS, so with "
                "portable.cors(...) browsers' preflights would meet the token check on AWS and fail; declare the "
                f"methods it serves instead, e.g. 'GET {declared.path}'"
            )


# Delivery --------------------------------------------------------------------


def reads_claims(trigger: HttpTrigger) -> bool:
    """Whether a codec reads the verified caller into `request.auth`: only on a route declared with auth=, whose
    every method the gateway verifies (on GCP, every operation of the route carries `security`, OPTIONS included).
    The handler of an open route never sees claims, whatever the request carries: there the userinfo header is the
    caller's word, never the gateway's."""
    return trigger.auth is not None


def oversized(request: Request) -> HttpReply | None:
    """413 or 431 for a request over the portable limits (the strictest cloud's), else None."""
    if len(request.body) > REQUEST_BODY_MAX_BYTES:
        return error_reply(
            413,
            f"request body is over {REQUEST_BODY_MAX_BYTES} bytes (6 MiB): upload large files "
            "to a bucket with a signed URL instead",
            request.request_id,
        )
    size = 0
    for name, values in request.headers._value_lists():
        for value in values:
            size += len(name) + len(value) + 4
    if size > REQUEST_HEADERS_MAX_BYTES:
        return error_reply(
            431, f"request headers are {size} bytes; the limit is {REQUEST_HEADERS_MAX_BYTES}", request.request_id
        )
    return None


def deliver(
    bound: Bound[HttpTrigger], decoded: Request | HttpReply, ending: Ending | None = None, trace: TraceSource = None
) -> HttpReply:
    """Answer one request; never raises. `decoded` is the request, or the reply its target gave without calling
    the handler (a malformed event's 400, a preflight's answer). 4xx for the caller's faults, 500 for the
    handler's. The call continues `trace` (the caller's or the platform's) in a span of its own, which every log
    line of the call carries; no platform retries a request, so there is no `ending`."""
    if isinstance(decoded, HttpReply):
        return decoded
    otel = spans()
    if otel is None:
        started, call_trace = None, CallTrace(trace)
    else:
        started, made = otel.start(bound.spec, continued(platform_of(trace)))
        call_trace = CallTrace.known(made)
    token = entering(bound, decoded.request_id, call_trace)
    try:
        reply = _answer(bound, decoded)
    finally:
        current_invocation.reset(token)
    if otel is not None and started is not None:
        otel.end(started, status=reply.status)
    # Under a CORS policy, a reply to one origin differs from a reply to another or to none: every reply says so,
    # the ones that carry no CORS headers included, so that no cache hands one origin's reply to another.
    return reply if bound.cors is None else varying_by_origin(reply)


def _answer(bound: Bound[HttpTrigger], request: Request) -> HttpReply:
    refused = oversized(request)
    if refused is not None:
        log.warning("request refused", status=refused.status)
        return refused
    if bound.spec.trigger.auth is not None and request.auth is None:
        log.warning("request refused: no verified caller on a route that requires auth")
        return unauthorized(
            "this route requires a signed-in caller: send Authorization: Bearer <token> through the API's gateway",
            request.request_id,
        )
    declared = bound.spec.trigger.route
    if not request.path_params and declared.params:
        request.path_params = declared.match(request.path) or {}
    if bound.spec.idempotency is None:
        return _call(bound, request)
    from portable.idempotency_store import answer_once  # only an idempotent route loads it

    try:
        return answer_once(bound.spec, bound.clients, request, lambda: _call(bound, request))
    except Exception as exc:  # the store failed: the handler did not run, or its reply stands unrecorded
        log.error("idempotency store failed", error=f"{type(exc).__name__}: {exc}", traceback=formatted_traceback())
        return error_reply(500, "internal error", request.request_id, debug_detail(exc) if bound.debug else None)


def _call(bound: Bound[HttpTrigger], request: Request) -> HttpReply:
    types = bound.spec.trigger.types
    try:
        return render(bound.handler(request) if types is None else types.call(bound.handler, request))
    except HttpError as exc:
        if exc.status >= 500:
            log.error("handler answered with an error", status=exc.status, error=exc.message)
        return error_reply(exc.status, exc.message, request.request_id, exc.body_fields())
    except InvalidReply as exc:
        log.error("reply does not fit the handler's annotation", error=str(exc))
        return error_reply(500, "internal error", request.request_id, debug_detail(exc) if bound.debug else None)
    except Exception as exc:
        log.error(
            "handler raised",
            method=request.method,
            path=request.path,
            error=f"{type(exc).__name__}: {exc}",
            traceback=formatted_traceback(),
        )
        return error_reply(500, "internal error", request.request_id, debug_detail(exc) if bound.debug else None)


def refused(error: HttpError, request_id: str) -> HttpReply:
    """The reply to a request its codec could not read: the caller's fault, never the handler's."""
    return error_reply(error.status, error.message, request_id)


# Samples ---------------------------------------------------------------------


def sample(spec: HttpFunction, hints: Mapping[str, str | None], clients: ClientFactory) -> tuple[Request, list[str]]:
    """A call of the route: its method (GET for ANY), its path with each parameter named after itself (or
    hints["path"]), hints["body"] (sent as application/json when it is JSON, unless hints["headers"] names a
    Content-Type), the `Name: value` lines of hints["headers"], and the caller hints["claims"] describes (JSON of
    verified claims), as a gateway hands a signed-in caller over."""
    from portable.request import Headers, Request

    declared = spec.trigger.route
    path = hints.get("path") or "/" + "/".join(segment.text for segment in declared.segments)
    body = hints.get("body") or ""
    given = [
        (name.strip(), value.strip())
        for name, _, value in (line.partition(":") for line in (hints.get("headers") or "").splitlines())
    ]
    typed = any(name.lower() == "content-type" for name, _ in given)
    headers = Headers([*given, *([("Content-Type", "application/json")] if _is_json(body) and not typed else [])])
    request = Request(
        method="GET" if declared.method == "ANY" else declared.method,
        path=path,
        body=body.encode(),
        headers=headers,
        client_ip="127.0.0.1",
        request_id=new_request_id(),
    )
    request.path_params = declared.match(request.path) or {}
    claims = hints.get("claims")
    if claims:
        import json

        from portable.auth import auth_from_claims

        request.auth = auth_from_claims(json.loads(claims))
    return request, []


def _is_json(text: str) -> bool:
    if not text:
        return False
    import json

    try:
        json.loads(text)
    except ValueError:
        return False
    return True
