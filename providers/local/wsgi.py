"""What every endpoint of the local runner shares: the WSGI call and one way to answer it."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from portable.invoke import Reply, error_reply, new_request_id

Environ = dict[str, Any]
StartResponse = Callable[..., Any]


def send(start_response: StartResponse, reply: Reply) -> list[bytes]:
    start_response(f"{reply.status} {HTTPStatus(reply.status).phrase}", reply.headers)
    return [reply.body]


def error(status: int, message: str) -> Reply:
    """The portable error body (error, status, request_id), the one the shims answer with."""
    return error_reply(status, message, new_request_id())


def request_body(environ: Environ) -> bytes:
    return bytes(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
