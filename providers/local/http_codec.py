"""The `http` kind locally: a portable request as a WSGI call to the runner (what a client on the network sends),
the WSGI answer as the caller's reply, and how the console and the banner show a route.

The runner stands where the gateway stands (`providers/local/runner.py`) and hands each call to the
function's functions-framework app, which the GCP shim serves (`providers/gcp/http_codec.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from portable import http_trigger
from portable.app import App
from portable.replies import HttpReply
from portable.request import Request

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from werkzeug.test import TestResponse

    from portable.context import ClientFactory
    from portable.http_trigger import HttpFunction
    from providers.local.outboxes import Outbox
    from providers.local.wsgi import Environ

KIND = "http"
LABEL = "routes"  # what the runner's banner calls its triggers


def encode(request: Request) -> dict[str, Any]:
    """The arguments of a WSGI test client's `open` that send `request` as a client on the network would."""
    return {
        "path": quote(request.path),
        "method": request.method,
        "headers": request.headers.items_all(),
        "data": request.body,
        "query_string": urlencode(request.query.items_all()),
        "environ_base": {"REMOTE_ADDR": request.client_ip or "127.0.0.1"},
    }


def decode(response: TestResponse) -> HttpReply:
    """A WSGI answer as the caller's reply (cookies apart from the other headers)."""
    headers = [(name, value) for name, value in response.headers.items() if name.lower() != "set-cookie"]
    return HttpReply(response.status_code, response.get_data(), headers, response.headers.getlist("Set-Cookie"))


def send(open_: Callable[..., TestResponse], request: Request) -> HttpReply:
    """`request` through a WSGI test client's `open`, and the reply it gets."""
    arguments = encode(request)
    return decode(open_(arguments.pop("path"), **arguments))


def subject(environ: Environ) -> str:
    """What a call's console line says it was called with: the method and the path as its sender wrote it."""
    return f"{environ.get('REQUEST_METHOD', 'GET')} {request_path(environ)}"


def request_path(environ: Environ) -> str:
    """The request's path as its sender wrote it: the bytes PEP 3333 hands over as latin-1, read as UTF-8."""
    raw = (environ.get("PATH_INFO") or "/").encode("latin-1", "replace")
    return raw.decode("utf-8", "backslashreplace")


def outboxes(app: App, root: Path) -> list[Outbox]:
    """Calls are answered at once: nothing waits in an outbox."""
    return []


def describe(app: App) -> list[str]:
    return [f"{spec.trigger.route.key} -> {spec.name}" for spec in http_trigger.functions(app)]


def sample(
    spec: HttpFunction, hints: Mapping[str, str | None], clients: ClientFactory
) -> tuple[dict[str, Any], list[str]]:
    request, notes = http_trigger.sample(spec, hints, clients)
    return encode(request), notes


def dashboard(app: App, pending: Mapping[str, int], now: datetime) -> dict[str, Any]:
    """The dashboard's part of this kind: the routes, and the issuers their `auth=` names."""
    functions = sorted(
        http_trigger.functions(app), key=lambda spec: (spec.trigger.route.path, spec.trigger.route.method)
    )
    return {
        "routes": [
            {
                "method": spec.trigger.route.method,
                "path": spec.trigger.route.path,
                "function": spec.name,
                "auth": spec.trigger.auth.name if spec.trigger.auth else None,
            }
            for spec in functions
        ],
        "auths": [
            {"name": auth.name, "issuer": auth.issuer, "audience": auth.audiences[0]}
            for auth in http_trigger.auths(app)
        ],
    }


def signed_in(spec: HttpFunction, subject: str, scopes: list[str], claims: dict[str, Any]) -> dict[str, str]:
    """The hints of a signed-in caller of the route (`portable invoke --subject`): `token`, minted by the
    development issuer for the route's jwt_auth, and `claims`, as a gateway verifies them (JSON)."""
    import json

    from portable.errors import ConfigurationError
    from providers.local.sqlite_files import local_dir
    from providers.local.tokens import DevIssuer

    auth = spec.trigger.auth
    if auth is None:
        raise ConfigurationError(
            f"function {spec.name!r} serves no route declared with auth=, so it has no signed-in caller: "
            "leave out --subject, --scopes and --claims"
        )
    issuer = DevIssuer(local_dir())
    token = issuer.mint(auth, subject, scopes, claims=claims)
    return {"token": token, "claims": json.dumps(issuer.verify(token, auth))}


def advice(spec: HttpFunction, status: int, hints: Mapping[str, str | None]) -> str | None:
    """What `portable invoke` adds to a reply: how to call an auth= route as a signed-in caller, after its 401."""
    auth = spec.trigger.auth
    if status != 401 or auth is None or hints.get("token"):
        return None
    return (
        f"route {spec.trigger.route.key!r} requires a signed-in caller (auth={auth.name}); call it as one with "
        "--subject WHO [--scopes 'read write'] [--claims JSON]"
    )
