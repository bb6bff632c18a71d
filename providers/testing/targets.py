"""Where the test kit and `portable invoke` send calls and events: through the AWS shim as Lambda calls it,
through the GCP shim under functions-framework as Cloud Functions calls it, or through the local runner.

Each target turns a portable request, object event or schedule firing into the native payload its cloud
sends (API Gateway 2.0, S3 notification, EventBridge Scheduler; a plain HTTP request, a binary-mode Cloud
Storage CloudEvent, a Cloud Scheduler call), runs it through the real entry point with the function bound
to the local buckets and tables, and reads the native reply back.

In front of the HTTP functions, the AWS and GCP targets stand in for each cloud's API Gateway where
it acts on its own: AWS's answers CORS preflights and adds the CORS headers from the HTTP API's
`corsConfiguration`, GCP's forwards preflights to the function of the path (its OPTIONS operations);
both verify a route's token (with the local runner's verifier, which trusts the development issuer)
and refuse a bad one with their own 401, or pass the claims on in their own format.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple
from urllib.parse import quote, urlencode

from portable.app import App, HttpFunction, ObjectFunction, ResourceSpec
from portable.auth import JwtAuth, auth_from_claims
from portable.context import physical_name
from portable.cors_policy import is_preflight
from portable.errors import ConfigurationError, EventFailed
from portable.events import ObjectEvent, ScheduleEvent, schedule_firing
from portable.invoke import Bound, Reply, error_reply, new_request_id, preflight_reply, with_cors
from portable.messages import Message
from portable.request import Headers, Request
from providers.binding import client_factory
from providers.local.tokens import DevIssuer, TokenRefused, bearer_token

if TYPE_CHECKING:
    from werkzeug.test import TestResponse

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

    @abstractmethod
    def http(self, request: Request) -> Reply:
        """The reply a caller gets for `request`, routed as this target routes."""

    @abstractmethod
    def object_event(self, event: ObjectEvent) -> list[Delivery]:
        """Hand `event` to the functions this target's storage notifies."""

    @abstractmethod
    def schedule(self, name: str, due: datetime) -> Delivery:
        """Fire schedule function `name` for its time `due`."""

    @abstractmethod
    def message(self, message: Message) -> list[Delivery]:
        """Hand `message` to the consumer of its queue, or to every subscriber of its topic."""


def object_label(event: ObjectEvent) -> str:
    return f"{event.kind} {event.bucket}/{event.key}"


def gateway_route(app: App, request: Request) -> HttpFunction | Reply:
    """The function the cloud's API gateway forwards `request` to, or the 404 or 405 it answers itself."""
    spec, allowed = app.route(request.method, request.path)
    if spec is not None:
        return spec
    if not allowed:
        return error_reply(404, f"no route for {request.method} {request.path}", request.request_id)
    reply = error_reply(
        405, f"{request.method} is not allowed on {request.path}: use {', '.join(allowed)}", request.request_id
    )
    reply.headers.append(("Allow", ", ".join(allowed)))
    return reply


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

    specs = app.http_functions()
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


def gateway_refusal(body: dict[str, Any], reason: str) -> Reply:
    """A gateway's own 401: its JSON body, and the Bearer challenge."""
    return Reply(
        401,
        json.dumps(body).encode(),
        [
            ("Content-Type", "application/json"),
            ("WWW-Authenticate", f'Bearer error="invalid_token", error_description="{reason}"'),
        ],
    )


class AwsTarget(Target):
    """The Lambda handler of each function (`providers.aws.runtime`), called with the events AWS sends."""

    name = "aws"

    def __init__(self, app: App) -> None:
        clients = client_factory("local")
        self.app = app
        self.functions = {name: Bound(spec, app.handlers[name], clients) for name, spec in app.functions.items()}

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        """The handler's native reply to `event`; EventFailed when the function fails (Lambda would retry)."""
        from providers.aws.runtime import serve

        return serve(self.functions[function], event, new_request_id())

    def http(self, request: Request) -> Reply:
        """API Gateway's HTTP API: preflights and CORS headers from `corsConfiguration`, then its JWT authorizer."""
        cors, origin = self.app.cors, request.headers.get("origin")
        if cors is not None and is_preflight(request.method, request.headers):
            return preflight_reply(cors, request.headers, request.request_id)
        return with_cors(cors, origin, self._route(request))

    def _route(self, request: Request) -> Reply:
        from providers.aws import http_events

        routed = gateway_route(self.app, request)
        if isinstance(routed, Reply):
            return routed
        if routed.trigger.auth is not None:
            verified = gateway_token(request, routed.trigger.auth)
            if isinstance(verified, str):
                return gateway_refusal({"message": "Unauthorized"}, verified)
            request.auth = auth_from_claims(verified[1])
        request.path_params = routed.trigger.route.match(request.path) or {}
        event = http_events.encode_request(request, routed.trigger.route.key)
        return http_events.decode_reply(self.invoke(routed.name, event))

    def object_event(self, event: ObjectEvent) -> list[Delivery]:
        from providers.aws import s3_events

        notification = s3_events.encode(event, physical_name(ResourceSpec("bucket", event.bucket)))
        # S3 filters by kind, prefix and suffix before it invokes a function.
        return [
            self._deliver(spec.name, object_label(event), notification)
            for spec in self.app.object_functions(event.bucket)
            if spec.trigger.accepts(event)
        ]

    def schedule(self, name: str, due: datetime) -> Delivery:
        from providers.aws import schedule_events

        return self._deliver(name, f"schedule {name}", schedule_events.encode(name, due))

    def _deliver(self, function: str, label: str, event: dict[str, Any]) -> Delivery:
        try:
            reply = self.invoke(function, event)
        except EventFailed as exc:
            return Delivery(function, label, False, f"EventFailed: {exc}")
        return Delivery(function, label, reply.get("status") == 200, json.dumps(reply))

    def message(self, message: Message) -> list[Delivery]:
        from providers.aws import sqs_events

        deliveries = []
        for spec in self.app.message_functions(message.source):
            queue = f"{message.source}-{spec.name}" if spec.trigger.kind == "topic" else message.source
            event = sqs_events.encode(
                message,
                spec.trigger,
                f"arn:aws:sqs:us-east-1:123456789012:{queue}",
                f"arn:aws:sns:us-east-1:123456789012:{message.source}",
            )
            reply = self.invoke(spec.name, event)
            deliveries.append(
                Delivery(spec.name, message_label(message), not reply.get("batchItemFailures"), json.dumps(reply))
            )
        return deliveries


def message_label(message: Message) -> str:
    return f"message {message.id} from {message.source}"


def reply_of(response: TestResponse) -> Reply:
    """A WSGI test response as a portable reply (cookies apart from the other headers)."""
    headers = [(name, value) for name, value in response.headers.items() if name.lower() != "set-cookie"]
    return Reply(response.status_code, response.get_data(), headers, response.headers.getlist("Set-Cookie"))


def open_request(open_: Callable[..., TestResponse], request: Request) -> TestResponse:
    """Send `request` through a WSGI test client's `open`, as a client on the network would."""
    return open_(
        quote(request.path),
        method=request.method,
        headers=request.headers.items_all(),
        data=request.body,
        query_string=urlencode(request.query.items_all()),
        environ_base={"REMOTE_ADDR": request.client_ip or "127.0.0.1"},
    )


class GcpTarget(Target):
    """Each function's functions-framework app, built from the project's main.py as Cloud Functions gen2 builds
    it, called with the requests GCP sends: API Gateway's forwarded call, Eventarc's binary-mode CloudEvent and
    Cloud Scheduler's call (the local runner encodes the last two).

    The stand-in of API Gateway follows the OpenAPI document the deploy generates: an operation with `security`
    verifies the token and puts the claims in the userinfo header, one without passes the caller's headers on as
    they came, a forged userinfo header included, as the gateway does."""

    name = "gcp"

    def __init__(self, app: App, runner: LocalApp) -> None:
        self.app = app
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

    def http(self, request: Request) -> Reply:
        """API Gateway on GCP: a preflight goes to the path's OPTIONS operation (a function of that path); an
        operation with JWT security gets the verified claims in the userinfo header, or the gateway's 401."""
        from providers.gcp.deploy.openapi import openapi_path
        from providers.gcp.http_requests import USERINFO_HEADER, userinfo_of_token

        routed = self._preflight_route(request) or gateway_route(self.app, request)
        if isinstance(routed, Reply):
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
        return reply_of(open_request(self.runner.targets[function].test_client(use_cookies=False).open, request))

    def _preflight_route(self, request: Request) -> HttpFunction | None:
        if self.app.cors is None or not is_preflight(request.method, request.headers):
            return None
        return next(
            (spec for spec in self.app.http_functions() if spec.trigger.route.match(request.path) is not None), None
        )

    def wants(self, spec: ObjectFunction, event: ObjectEvent) -> bool:
        """Eventarc filters by bucket and event type only; the shim applies prefix and suffix."""
        return spec.trigger.kind == event.kind

    def object_event(self, event: ObjectEvent) -> list[Delivery]:
        return [
            self._deliver(spec.name, object_label(event), event)
            for spec in self.app.object_functions(event.bucket)
            if self.wants(spec, event)
        ]

    def schedule(self, name: str, due: datetime) -> Delivery:
        return self._deliver(name, f"schedule {name}", schedule_firing(name, due))

    def message(self, message: Message) -> list[Delivery]:
        return [
            self._deliver(spec.name, message_label(message), message)
            for spec in self.app.message_functions(message.source)
        ]

    def _deliver(self, function: str, label: str, event: ObjectEvent | ScheduleEvent | Message) -> Delivery:
        status, body = self.runner.deliver(function, event)
        return Delivery(function, label, status < 300, f"HTTP {status} {body}".strip())


class LocalTarget(GcpTarget):
    """The local runner (`portable dev`): its own routing and control paths, and its delivery of each event to
    the functions it triggers (one attempt here, with no retry)."""

    name = "local"

    def __init__(self, app: App, runner: LocalApp) -> None:
        from werkzeug.test import Client

        super().__init__(app, runner)
        self.client = Client(runner, use_cookies=False)

    def http(self, request: Request) -> Reply:
        return reply_of(open_request(self.client.open, request))

    def wants(self, spec: ObjectFunction, event: ObjectEvent) -> bool:
        return spec.trigger.accepts(event)


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
