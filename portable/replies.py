"""The finished HTTP reply, and the replies every target builds the same way.

A handler returns plain values or a `portable.Response`; `render` turns them into an `HttpReply`,
which each shim writes in its native shape and which the test kit hands back to tests. Error
bodies, the gateway's 404 and 405, the 401 of a route without a verified caller, CORS preflight
answers and CORS headers are built here once for every target.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from portable.request import Response
from portable.runtime_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from portable.cors_policy import Cors
    from portable.request import Headers


class ReplyHeaders:
    """A reply's headers in the order they were set, names as written; read case-insensitively by name."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self.pairs = pairs if isinstance(pairs, list) else list(pairs)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ReplyHeaders) and self.pairs == other.pairs

    def __repr__(self) -> str:
        return f"ReplyHeaders({self.pairs!r})"

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of header `name`, whatever its case, else `default`."""
        name = name.lower()
        return next((value for key, value in self.pairs if key.lower() == name), default)

    def get_all(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.pairs if key.lower() == name]

    def items(self) -> list[tuple[str, str]]:
        """Each header once, its name in lower case, with its first value."""
        first: dict[str, str] = {}
        for key, value in self.pairs:
            first.setdefault(key.lower(), value)
        return list(first.items())

    def add(self, name: str, value: str) -> None:
        self.pairs.append((name, value))

    def replace(self, pairs: list[tuple[str, str]]) -> None:
        """Drop every header named in `pairs` (whatever its case), then add `pairs`."""
        names = {name.lower() for name, _ in pairs}
        self.pairs = [(key, value) for key, value in self.pairs if key.lower() not in names] + pairs


class HttpReply:
    """What the caller of an HTTP function gets: `status`, `headers` (read case-insensitively), `cookies` (the
    Set-Cookie values), `body` (bytes); `text` and `json()` read the body. `binary` says the body is not text.

    Attributes:
        status: The HTTP status.
        headers: The reply's headers, case-insensitive, `Set-Cookie` apart.
        cookies: The value of each `Set-Cookie` header.
        body: The body as bytes; `text` and `json()` decode it.
        binary: Whether the body is bytes to send as they are, rather than text.
    """

    __slots__ = ("binary", "body", "cookies", "headers", "status")

    def __init__(
        self,
        status: int,
        body: bytes = b"",
        headers: Iterable[tuple[str, str]] = (),
        cookies: list[str] | None = None,
        binary: bool = False,
    ) -> None:
        self.status = status
        self.body = body
        self.headers = ReplyHeaders(headers)
        self.cookies = cookies if cookies is not None else []
        self.binary = binary

    def __repr__(self) -> str:
        return f"HttpReply({self.status}, {self.headers.get('content-type')!r}, {self.body[:80]!r})"

    @property
    def text(self) -> str:
        """The body as UTF-8 text."""
        return self.body.decode("utf-8")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


_JSON = json.JSONEncoder(ensure_ascii=False)  # built once: json.dumps with options builds one per call
_JSON_TYPE = ("Content-Type", "application/json")


def error_reply(status: int, message: str, request_id: str, extra: dict[str, Any] | None = None) -> HttpReply:
    """The portable error body: error, status, request_id, and the local runner's `extra` fields."""
    fields: dict[str, Any] = {"error": message, "status": status, "request_id": request_id}
    if extra:
        fields.update(extra)
    return HttpReply(status, json.dumps(fields).encode(), [_JSON_TYPE])


def unrouted(method: str, path: str, allowed: list[str], request_id: str, suggestion: str = "") -> HttpReply:
    """What a gateway answers a request no route takes: 404 (ending with `suggestion`, the local runner's
    "did you mean"), or 405 with `Allow` when the path takes other methods. Every target answers so: API Gateway
    on both clouds, a GCP function reached on another path, the local runner."""
    if not allowed:
        return error_reply(404, f"no route for {method} {path}{suggestion}", request_id)
    methods = ", ".join(allowed)
    reply = error_reply(405, f"{method} is not allowed on {path}: use {methods}", request_id)
    reply.headers.add("Allow", methods)
    return reply


def debug_detail(exc: BaseException) -> dict[str, Any]:
    """What `portable dev --debug` adds to a 500 reply: the exception's type, message and traceback."""
    import traceback  # only on the failure path

    return {
        "debug": {
            "type": type(exc).__name__,
            "message": str(exc),
            "traceback": "".join(traceback.format_exception(exc)),
        }
    }


def unauthorized(message: str, request_id: str) -> HttpReply:
    """The portable 401: a JSON error saying what was wrong with the token, and the Bearer challenge."""
    reply = error_reply(401, message, request_id)
    reply.headers.add("WWW-Authenticate", 'Bearer error="invalid_token"')
    return reply


def preflight_reply(policy: Cors, headers: Headers, request_id: str) -> HttpReply:
    """A CORS preflight's answer: 204 with the CORS headers, or 403 saying what is not allowed and none."""
    from portable.cors_policy import preflight_headers, preflight_refusal

    refusal = preflight_refusal(policy, headers)
    if refusal:
        return error_reply(403, refusal, request_id)
    return HttpReply(204, b"", preflight_headers(policy, headers.get("origin", "")))


def with_cors(policy: Cors | None, origin: str | None, reply: HttpReply) -> HttpReply:
    """`reply` with the CORS headers for `origin`, in place of any the handler set; under a policy, every reply
    says it varies by Origin, those to other origins or to none included (a cache must not mix them)."""
    if policy is None:
        return reply
    from portable.cors_policy import reply_headers

    added = [(name, value) for name, value in reply_headers(policy, origin) if name != "Vary"]
    if added:
        reply.headers.replace(added)
    return varying_by_origin(reply)


def varying_by_origin(reply: HttpReply) -> HttpReply:
    """`reply` with Origin among the request headers its Vary names (added to the handler's own, if any)."""
    varies = reply.headers.get_all("vary")
    named = {part.strip().lower() for value in varies for part in value.split(",")}
    if "origin" in named or "*" in named:
        return reply
    reply.headers.replace([("Vary", ", ".join([*varies, "Origin"]))])
    return reply


def render(result: Any) -> HttpReply:
    """Plain return values to a reply: dict/list JSON, str text, bytes binary, None 204."""
    if type(result) is dict:  # what most handlers return: JSON, checked first
        return HttpReply(200, _JSON.encode(result).encode(), [_JSON_TYPE])
    if isinstance(result, Response):
        reply = _render_body(result.body, result.status)
        if result.content_type:
            reply.headers.replace([("Content-Type", result.content_type)])
        reply.headers.replace(list(result.headers))
        reply.cookies = list(result.cookies)
        return reply
    return _render_body(result, 200 if result is not None else 204)


def _render_body(body: Any, status: int) -> HttpReply:
    if body is None:
        return HttpReply(status)
    if isinstance(body, (dict, list)):
        return HttpReply(status, _JSON.encode(body).encode(), [_JSON_TYPE])
    if isinstance(body, str):
        return HttpReply(status, body.encode(), [("Content-Type", "text/plain; charset=utf-8")])
    if isinstance(body, (bytes, bytearray, memoryview)):
        return HttpReply(status, bytes(body), [("Content-Type", "application/octet-stream")], binary=True)
    raise TypeError(f"a handler returned {type(body).__name__}; return a dict, list, str, bytes, None or a Response")
