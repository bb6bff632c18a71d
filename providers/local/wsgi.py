"""What every endpoint of the local runner shares: the WSGI call and one way to answer it."""

from __future__ import annotations

import io
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from portable.delivery import new_request_id
from portable.replies import HttpReply, error_reply
from portable.request import Headers

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
_READ_CHUNK = 1024 * 1024
# How long the runner waits for more of a request (its body included) before it gives up with 408; the server sets
# it on each connection.
BODY_TIMEOUT_SECONDS = 30


class Refused(Exception):
    """A request answered with the portable error `status` before any work is done."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def call(
    app: Callable[[Environ, StartResponse], Any], method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, Headers, str]:
    """Send one request to `app`, in this thread, as a platform calls a function; its status, headers and body.

    What the runner's delivery workers do for every event: a plain WSGI call, without a test client's machinery.
    """
    environ: Environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in headers.items():
        if "\n" in value or "\r" in value or "\x00" in value:  # no request on the wire can carry it
            raise ValueError(f"Header values must not contain newline characters: {name} is {value[:80]!r}")
        key = name.upper().replace("-", "_")
        environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
    answered: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answered.append((status, response_headers))
        return lambda data: None

    chunks = app(environ, start_response)
    try:
        reply = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    status, response_headers = answered[-1]
    return int(status.split(" ", 1)[0]), Headers(response_headers), reply.decode("utf-8", "replace")


def send(start_response: StartResponse, reply: HttpReply) -> list[bytes]:
    start_response(f"{reply.status} {HTTPStatus(reply.status).phrase}", list(reply.headers))
    return [reply.body]


def error(status: int, message: str, extra: dict[str, Any] | None = None) -> HttpReply:
    """The portable error body (error, status, request_id), the one the shims answer with, plus `extra` fields."""
    return error_reply(status, message, new_request_id(), extra)


def environ_headers(environ: Environ) -> Headers:
    """The request's headers, as the WSGI server hands them over."""
    return Headers((key[5:].replace("_", "-"), value) for key, value in environ.items() if key.startswith("HTTP_"))


def path_text(environ: Environ) -> str:
    """The request path, %-decoded once as UTF-8 (PEP 3333 hands it over as latin-1 text)."""
    raw = (environ.get("PATH_INFO") or "/").encode("latin-1")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the path is not UTF-8 once %-decoded; encode keys as UTF-8, then %-encode them") from None


def request_body(environ: Environ, limit: int) -> bytes:
    """The whole body, sent chunked or with a Content-Length; Refused (400, 413) when neither holds up, 408 when it
    stops arriving."""
    stream = environ["wsgi.input"]
    try:
        if environ.get("wsgi.input_terminated"):  # chunked: the server ends the stream after the last chunk
            body = _to_end(stream, limit)
        else:
            text = environ.get("CONTENT_LENGTH") or ""
            if not text:
                raise Refused(400, "the body needs a Content-Length header, or Transfer-Encoding: chunked")
            if _length(text, limit) > limit:
                raise _too_large(limit)
            body = _declared(stream, text, limit)
    except TimeoutError:
        raise _stalled() from None
    if len(body) > limit:
        raise _too_large(limit)
    return bytes(body)


def buffered_body(environ: Environ, limit: int) -> None:
    """Read the request's body now, up to one byte past `limit` (the function refuses it with 413), and hand it on
    in memory: a body that stops arriving is Refused (408) here, before any function waits on it."""
    stream = environ["wsgi.input"]
    text = environ.get("CONTENT_LENGTH") or ""
    try:
        if environ.get("wsgi.input_terminated"):
            body = _to_end(stream, limit)
        elif text:
            body = _declared(stream, text, limit)
        else:
            return  # no body
    except TimeoutError:
        raise _stalled() from None
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ["wsgi.input_terminated"] = True


def _length(text: str, limit: int) -> int:
    """The bytes a Content-Length announces, or limit + 1 for more; Refused (400) when it is not a number."""
    if not (text.isascii() and text.isdigit()):
        raise Refused(400, f"Content-Length {text[:40]!r} is not a number of bytes")
    return min(int(text), limit + 1) if len(text) <= 20 else limit + 1


def _to_end(stream: Any, limit: int) -> bytes:
    """A chunked body, up to limit + 1 bytes."""
    body = bytearray()
    while len(body) <= limit and (chunk := stream.read(min(_READ_CHUNK, limit + 1 - len(body)))):
        body += chunk
    return bytes(body)


def _declared(stream: Any, text: str, limit: int) -> bytes:
    """The body a Content-Length of `text` announces, up to limit + 1 bytes; Refused (400) if it ends sooner."""
    length = _length(text, limit)
    body = bytearray()
    while len(body) < length and (chunk := stream.read(min(_READ_CHUNK, length - len(body)))):
        body += chunk
    if len(body) < length:
        raise Refused(400, f"the body ended after {len(body)} of its {text} bytes (Content-Length)")
    return bytes(body)


def _stalled() -> Refused:
    return Refused(
        408, f"the request stopped arriving: nothing came for {BODY_TIMEOUT_SECONDS} s; send the whole body at once"
    )


def _too_large(limit: int) -> Refused:
    return Refused(413, f"the body is over {limit:,} bytes, the most a local object holds")
