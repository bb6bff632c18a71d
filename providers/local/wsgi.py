"""What every endpoint of the local runner shares: the WSGI call and one way to answer it."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from portable.delivery import new_request_id
from portable.replies import HttpReply, error_reply

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
_READ_CHUNK = 1024 * 1024


class Refused(Exception):
    """A request answered with the portable error `status` before any work is done."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def send(start_response: StartResponse, reply: HttpReply) -> list[bytes]:
    start_response(f"{reply.status} {HTTPStatus(reply.status).phrase}", list(reply.headers))
    return [reply.body]


def error(status: int, message: str, extra: dict[str, Any] | None = None) -> HttpReply:
    """The portable error body (error, status, request_id), the one the shims answer with, plus `extra` fields."""
    return error_reply(status, message, new_request_id(), extra)


def path_text(environ: Environ) -> str:
    """The request path, %-decoded once as UTF-8 (PEP 3333 hands it over as latin-1 text)."""
    raw = (environ.get("PATH_INFO") or "/").encode("latin-1")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the path is not UTF-8 once %-decoded; encode keys as UTF-8, then %-encode them") from None


def request_body(environ: Environ, limit: int) -> bytes:
    """The whole body, sent chunked or with a Content-Length; Refused (400, 413) when neither holds up."""
    stream = environ["wsgi.input"]
    if environ.get("wsgi.input_terminated"):  # chunked: the server ends the stream after the last chunk
        body = bytearray()
        while chunk := stream.read(_READ_CHUNK):
            body += chunk
            if len(body) > limit:
                raise _too_large(limit)
        return bytes(body)
    text = environ.get("CONTENT_LENGTH") or ""
    if not text:
        raise Refused(400, "the body needs a Content-Length header, or Transfer-Encoding: chunked")
    if not (text.isascii() and text.isdigit()):
        raise Refused(400, f"Content-Length {text[:40]!r} is not a number of bytes")
    length = int(text) if len(text) <= 20 else limit + 1
    if length > limit:
        raise _too_large(limit)
    body = bytearray()
    while len(body) < length and (chunk := stream.read(min(_READ_CHUNK, length - len(body)))):
        body += chunk
    if len(body) < length:
        raise Refused(400, f"the body ended after {len(body)} of its {length} bytes (Content-Length)")
    return bytes(body)


def _too_large(limit: int) -> Refused:
    return Refused(413, f"the body is over {limit:,} bytes, the most a local object holds")
