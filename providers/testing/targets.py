"""Where the test kit and `portable invoke` send calls and events: through the AWS shim as Lambda calls it,
through the GCP shim under functions-framework as Cloud Functions calls it, or through the local runner.

Each target turns a portable request or event into the native payload its cloud sends (the function's
codec for that cloud: `<kind>_codec.encode`), runs it through the real entry point with the function bound
to the local buckets and tables, and reads the native reply back. Which functions an event reaches is
the platform's choice, as its codec says (`routes_to`: S3 filters by prefix and suffix, Eventarc by type
only), or the delivery rule's (`receivers`) where the platform filters exactly.

In front of the HTTP functions, the AWS and GCP targets stand in for each cloud's API Gateway where
it acts on its own: AWS's answers CORS preflights and adds the CORS headers from the HTTP API's
`corsConfiguration`, GCP's forwards preflights to the function of the path (its OPTIONS operations);
both verify a route's token (with the local runner's verifier, which trusts the development issuer)
and refuse a bad one with their own 401, or pass the claims on in their own format.
"""

from __future__ import annotations

import importlib
import json
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from portable import http_trigger
from portable.app import App, FunctionSpec
from portable.auth import JwtAuth, auth_from_claims
from portable.cors_policy import is_preflight
from portable.delivery import Bound, new_request_id
from portable.errors import ConfigurationError, EventFailed
from portable.replies import HttpReply, preflight_reply, unrouted, with_cors
from portable.request import Headers, Request
from portable.triggers import codec_name, trigger_module
from providers.binding import client_factory
from providers.local import http_codec as local_http
from providers.local.events import codec as local_codec
from providers.local.events import kind_of_event
from providers.local.tokens import DevIssuer, TokenRefused, bearer_token

if TYPE_CHECKING:
    from werkzeug.test import TestResponse

    from portable.http_trigger import HttpFunction
    from providers.local.runner import LocalApp


class Delivery(NamedTuple):
    """One event handed to one function, and whether the cloud would count it as done.

    Attributes:
        function: The function's name.
        event: What it was handed, e.g. `created uploads/a.txt`, `schedule nightly`, `message <id> from orders`.
        ok: Whether the cloud would count it as done (not retry it).
        reply: The native reply, as text.
    """

    function: str
    event: str
    ok: bool
    reply: str


class Target(ABC):
    """One way to run the App's functions; `name` is what `Kit(target=...)` and `--cloud` take."""

    name: ClassVar[str]

    def __init__(self, app: App) -> None:
        self.app = app

    @abstractmethod
    def http(self, request: Request) -> HttpReply:
        """The reply a caller gets for `request`, routed as this target routes."""

    def deliver(self, event: Any) -> list[Delivery]:
        """Hand `event` (an object event, a firing, a message, a table change) to each function the platform
        sends it to, as the platform sends it."""
        kind = kind_of_event(event)
        label = local_codec(kind).subject(event)
        return [self.send(spec, label, event) for spec in self.receivers(kind, event)]

    def receivers(self, kind: str, event: Any) -> list[FunctionSpec]:
        """The functions the platform sends `event` to: as its codec routes, else as the delivery rule accepts."""
        routes_to = getattr(self.codec(kind), "routes_to", None)
        if routes_to is None:
            found: list[FunctionSpec] = trigger_module(kind).receivers(self.app, event)
            return found
        return [spec for spec in self.app.functions.values() if spec.kind == kind and routes_to(spec, event)]

    def codec(self, kind: str) -> Any:
        return importlib.import_module(codec_name(self.name, kind))

    @abstractmethod
    def send(self, spec: FunctionSpec, label: str, event: Any) -> Delivery:
        """Send `event` to the function of `spec` in the platform's shape; whether it went well."""


def gateway_route(app: App, request: Request) -> HttpFunction | HttpReply:
    """The function the cloud's API gateway forwards `request` to, or the 404 or 405 it answers itself."""
    spec, allowed = http_trigger.route(app, request.method, request.path)
    return spec if spec is not None else unrouted(request.method, request.path, allowed, request.request_id)


def gateway_token(request: Request, auth: JwtAuth) -> tuple[str, dict[str, Any]] | str:
    """The token of `request` and its verified claims, as a gateway checks them; else why it is refused."""
    try:
        token = bearer_token(request.headers.get("authorization"))
        return token, DevIssuer().verify(token, auth)
    except TokenRefused as exc:
        return str(exc)


def gateway_operations(app: App) -> dict[tuple[str, str], tuple[str, JwtAuth | None]]:
    """(OpenAPI path, method) -> the function API Gateway on GCP calls and the issuer its operation requires, read
    from the OpenAPI document the deploy generates for `app`."""
    from providers.gcp.deploy.openapi import Backend, openapi_document

    specs = http_trigger.functions(app)
    backends = [
        Backend(spec.name, spec.trigger.route, f"https://{spec.name}.invalid", 30, spec.trigger.auth) for spec in specs
    ]
    document = openapi_document("stand-in", backends, cors=app.cors is not None)
    functions = {backend.url: backend for backend in backends}
    return {
        (path, method): (
            functions[operation["x-google-backend"]["address"]].function,
            functions[operation["x-google-backend"]["address"]].auth if operation.get("security") else None,
        )
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


def gateway_refusal(body: dict[str, Any], reason: str) -> HttpReply:
    """A gateway's own 401: its JSON body, and the Bearer challenge."""
    return HttpReply(
        401,
        json.dumps(body).encode(),
        [
            ("Content-Type", "application/json"),
            ("WWW-Authenticate", f'Bearer error="invalid_token", error_description="{reason}"'),
        ],
    )


class AwsTarget(Target):
    """The Lambda entry of each function (`providers.aws.runtime`), called with the events AWS sends."""

    name = "aws"

    def __init__(self, app: App) -> None:
        from providers.aws.runtime import Entry

        super().__init__(app)
        clients = client_factory("local")
        self.entries: dict[str, Entry] = {
            name: Entry(Bound.of(spec, app.handlers[name], clients), provider="local")
            for name, spec in app.functions.items()
        }

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        """The entry's native reply to `event`; EventFailed when the function fails (Lambda would retry)."""
        from providers.aws.runtime import serve

        return serve(self.entries[function], event, new_request_id())

    def http(self, request: Request) -> HttpReply:
        """API Gateway's HTTP API: preflights and CORS headers from `corsConfiguration`, then its JWT authorizer."""
        cors, origin = self.app.cors, request.headers.get("origin")
        if cors is not None and is_preflight(request.method, request.headers):
            return preflight_reply(cors, request.headers, request.request_id)
        return with_cors(cors, origin, self._route(request))

    def _route(self, request: Request) -> HttpReply:
        from providers.aws import http_codec

        routed = gateway_route(self.app, request)
        if isinstance(routed, HttpReply):
            return routed
        if routed.trigger.auth is not None:
            verified = gateway_token(request, routed.trigger.auth)
            if isinstance(verified, str):
                return gateway_refusal({"message": "Unauthorized"}, verified)
            request.auth = auth_from_claims(verified[1])
        request.path_params = routed.trigger.route.match(request.path) or {}
        return http_codec.decode_reply(self.invoke(routed.name, http_codec.encode(request, routed)))

    def send(self, spec: FunctionSpec, label: str, event: Any) -> Delivery:
        codec = self.codec(spec.kind)
        try:
            reply = self.invoke(spec.name, codec.encode(event, spec))
        except EventFailed as exc:
            return Delivery(spec.name, label, False, f"EventFailed: {exc}")
        return Delivery(spec.name, label, codec.succeeded(reply), json.dumps(reply))


class GcpTarget(Target):
    """Each function's functions-framework app, built from the project's main.py as Cloud Functions gen2 builds
    it, called with the requests GCP sends: API Gateway's forwarded call, Eventarc's CloudEvents, Cloud
    Scheduler's call and Pub/Sub's push (the local runner sends the events).

    The stand-in of API Gateway follows the OpenAPI document the deploy generates: an operation with `security`
    verifies the token and puts the claims in the userinfo header, one without passes the caller's headers on as
    they came, a forged userinfo header included, as the gateway does."""

    name = "gcp"

    def __init__(self, app: App, runner: LocalApp) -> None:
        super().__init__(app)
        self.runner = runner
        self.operations = gateway_operations(app)

    def request(self, function: str, method: str, path: str, headers: dict[str, str], body: bytes) -> TestResponse:
        """The native reply of `function`'s functions-framework app to one HTTP request."""
        response: TestResponse = (
            self.runner.targets[function]
            .test_client(use_cookies=False)
            .open(path, method=method, headers=headers, data=body)
        )
        return response

    def http(self, request: Request) -> HttpReply:
        """API Gateway on GCP: a preflight goes to the path's OPTIONS operation (a function of that path); an
        operation with JWT security gets the verified claims in the userinfo header, or the gateway's 401."""
        from providers.gcp.deploy.openapi import openapi_path
        from providers.gcp.http_codec import USERINFO_HEADER, userinfo_of_token

        routed = self._preflight_route(request) or gateway_route(self.app, request)
        if isinstance(routed, HttpReply):
            return routed
        function, auth = self.operations[openapi_path(routed.trigger.route)[0], request.method.lower()]
        if auth is not None:
            verified = gateway_token(request, auth)
            if isinstance(verified, str):
                return gateway_refusal({"code": 401, "message": verified}, verified)
            request.headers = Headers(
                [
                    *((name, value) for name, value in request.headers.items_all() if name != USERINFO_HEADER.lower()),
                    (USERINFO_HEADER, userinfo_of_token(verified[0])),
                ]
            )
        return local_http.send(self.runner.targets[function].test_client(use_cookies=False).open, request)

    def _preflight_route(self, request: Request) -> HttpFunction | None:
        if self.app.cors is None or not is_preflight(request.method, request.headers):
            return None
        return next(
            (spec for spec in http_trigger.functions(self.app) if spec.trigger.route.match(request.path) is not None),
            None,
        )

    def send(self, spec: FunctionSpec, label: str, event: Any) -> Delivery:
        answer = self.runner.deliver(spec.name, event)
        reply = f"HTTP {answer.status} {answer.body}".strip()
        if answer.dead_lettered:  # acknowledged: the platform is done with it, and the log holds the dead letter
            reply = f"{reply} (dead-lettered: {answer.dead_lettered})"
        return Delivery(spec.name, label, answer.status < 300, reply)


class LocalTarget(GcpTarget):
    """The local runner (`portable dev`): its own routing and control paths, and its delivery of each event to
    the functions it triggers (one attempt here, with no retry)."""

    name = "local"

    def __init__(self, app: App, runner: LocalApp) -> None:
        from werkzeug.test import Client

        super().__init__(app, runner)
        self.client = Client(runner, use_cookies=False)

    def http(self, request: Request) -> HttpReply:
        return local_http.send(self.client.open, request)

    def codec(self, kind: str) -> Any:
        """The runner filters exactly, as the delivery rule accepts: the local codecs route nothing themselves."""
        return local_codec(kind)


TARGETS = ("aws", "gcp", "local")
"""The targets a kit runs on: the AWS shim, the GCP shim, the local runner. `portable_app` runs each test on each."""


def build_target(name: str, app: App, package: str) -> Target:
    """Target `name` for `app` (loaded from `package`); the GCP and local ones build functions-framework apps
    from the project's main.py."""
    if name not in TARGETS:
        raise ConfigurationError(f"target {name!r} is unknown: use one of {', '.join(TARGETS)}")
    if name == "aws":
        return AwsTarget(app)
    from providers.local.runner import LocalApp

    # On GCP the shim ends Eventarc's retries itself; the local runner counts attempts and keeps dead letters.
    runner = LocalApp(package, counts_attempts=name == "local")
    return GcpTarget(app, runner) if name == "gcp" else LocalTarget(app, runner)
