"""One handler per trigger kind, each touching every field of what it receives."""

from __future__ import annotations

import contextlib
from typing import Any

from portable import (
    HttpError,
    InvalidValue,
    Message,
    ObjectEvent,
    Request,
    ScheduleEvent,
    bucket,
    http,
    jwt_auth,
    queue,
    schedule,
    topic,
)

drop = bucket("drop")
members = jwt_auth(issuer="https://issuer.example.com/", audiences=["fuzz-api"])
mail = queue("fuzz-mail")
news = topic("fuzz-news")


@http("ANY /{path+}")
def probe_http(request: Request) -> Any:
    view = request.as_dict()
    view["body"] = len(request.body)
    try:
        view["json"] = request.json()
    except HttpError as exc:
        view["json_error"] = exc.status
    return {key: repr(value) for key, value in view.items()}


@http("ANY /members/{path+}", auth=members)
def probe_auth(request: Request) -> Any:
    assert request.auth is not None
    return {"auth": repr(request.auth), "claims": request.auth.claims, "scopes": list(request.auth.scopes)}


@drop.on_created()
def probe_created(event: ObjectEvent) -> None:
    repr(event)


@drop.on_deleted()
def probe_deleted(event: ObjectEvent) -> None:
    repr(event)


@schedule("*/5 * * * *")
def probe_schedule(event: ScheduleEvent) -> None:
    repr(event)


def _touch(message: Message) -> None:
    repr(message)
    with contextlib.suppress(InvalidValue):
        message.json()


@mail.on_message
def probe_message(message: Message) -> None:
    _touch(message)


@news.on_message
def probe_news(message: Message) -> None:
    _touch(message)
