"""portable/http_types.py through @http: which handlers are typed, how their arguments are fed and their replies
checked, and the declarations refused when the App loads, with the file and line."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict

import pytest

from portable import AppDefinitionError, HttpError, Request, Response, http
from portable.app import _registrations
from portable.context import using_clients
from portable.delivery import Bound, new_request_id
from portable.http_trigger import HttpTrigger, deliver
from portable.replies import HttpReply
from portable.request import Headers, Query

HERE = __file__


@dataclass
class Item:
    name: str
    count: int = 1


class Filters(TypedDict, total=False):
    limit: int
    tag: list[str]


def trigger(handler: Callable[..., Any]) -> HttpTrigger:
    spec = _registrations[(handler.__module__, handler.__name__)].spec
    assert isinstance(spec.trigger, HttpTrigger)
    return spec.trigger


def call(handler: Callable[..., Any], method: str, path: str, body: Any = None, query: str = "") -> HttpReply:
    spec = _registrations[(handler.__module__, handler.__name__)].spec
    request = Request(
        method=method,
        path=path,
        body=json.dumps(body).encode() if body is not None else b"",
        query=Query(pair.split("=", 1) for pair in query.split("&") if pair),  # type: ignore[misc]
        headers=Headers([("content-type", "application/json")]),
        request_id=new_request_id(),
    )
    with using_clients(lambda resource: None):  # type: ignore[arg-type,return-value]
        return deliver(Bound.of(spec, handler, lambda resource: None), request)  # type: ignore[arg-type]


def body_of(reply: HttpReply) -> Any:
    return json.loads(reply.body)


@http("POST /plain")
def plain(request: Request) -> dict[str, str]:
    return {"plain": "yes"}


@http("PUT /boxes/{box}/items/{position}", status=201)
def put_item(request: Request, box: str, position: int, body: Item, query: Filters) -> Item:
    assert isinstance(request, Request)
    return Item(name=f"{box}:{position}:{body.name}:{query.get('limit')}:{','.join(query.get('tag', []))}")


@http("POST /optional")
def optional_body(body: Item | None = None) -> list[Item]:
    return [body] if body else []


@http("POST /later/{number}")
def defaults_first(request: Request, body: Item | None = None, number: int = 0) -> list[int]:
    return [number, body.count if body else -1]


@http("GET /anything")
def lies(request: Request) -> Item:
    return Response({"name": "x"}, status=202)  # type: ignore[return-value]


@http("POST /created", status=201)
def created(request: Request) -> dict[str, bool]:
    return {"created": True}


def test_a_handler_taking_only_the_request_with_a_plain_reply_is_not_typed() -> None:
    assert trigger(plain).types is None
    assert trigger(created).types is not None  # status= needs the typed call
    assert body_of(call(plain, "POST", "/plain")) == {"plain": "yes"}


def test_path_query_and_body_are_fed_converted_and_the_reply_checked() -> None:
    reply = call(put_item, "PUT", "/boxes/b1/items/3", {"name": "n"}, "limit=5&tag=x&tag=y")
    assert reply.status == 201
    assert body_of(reply) == {"name": "b1:3:n:5:x,y", "count": 1}


def test_everything_that_does_not_fit_is_one_422() -> None:
    reply = call(put_item, "PUT", "/boxes/b1/items/third", {"count": "2"}, "limit=lots")
    assert reply.status == 422
    answer = body_of(reply)
    assert [error["location"] for error in answer["errors"]] == [
        "path.position",
        "query.limit",
        "body.name",
        "body.count",
    ]
    assert answer["error"].startswith("the request does not fit the route: path.position: Input should be a valid")
    assert answer["error"].endswith("; and 1 more")


def test_an_empty_body_takes_the_default_and_without_one_is_missing() -> None:
    assert body_of(call(optional_body, "POST", "/optional")) == []
    assert body_of(call(optional_body, "POST", "/optional", {"name": "a"})) == [{"name": "a", "count": 1}]
    missing = call(put_item, "PUT", "/boxes/b/items/1")
    assert missing.status == 422
    assert body_of(missing)["errors"] == [{"location": "body", "message": "Field required", "type": "missing"}]


def test_a_parameter_after_a_left_out_body_still_gets_its_own_value() -> None:
    assert body_of(call(defaults_first, "POST", "/later/5")) == [5, -1]
    assert body_of(call(defaults_first, "POST", "/later/5", {"name": "a", "count": 3})) == [5, 3]


def test_a_response_where_a_typed_reply_is_declared_is_a_500(capsys: pytest.CaptureFixture[str]) -> None:
    reply = call(lies, "GET", "/anything")
    assert reply.status == 500 and body_of(reply)["error"] == "internal error"
    [line] = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert line["message"] == "reply does not fit the handler's annotation"
    assert "test_http_types.py" in line["error"] and "returned a Response" in line["error"]


def test_status_applies_to_a_plain_reply_too() -> None:
    reply = call(created, "POST", "/created")
    assert (reply.status, body_of(reply)) == (201, {"created": True})


def test_http_error_with_errors_answers_them() -> None:
    @http("POST /manual")
    def manual(request: Request) -> None:
        raise HttpError(422, "no", errors=[{"location": "body.x", "message": "bad", "type": "custom"}])

    answer = body_of(call(manual, "POST", "/manual"))
    assert answer["errors"] == [{"location": "body.x", "message": "bad", "type": "custom"}]


def test_a_class_declared_inside_a_function_is_found() -> None:
    @dataclass
    class Local:
        value: int

    @http("POST /local")
    def local(body: Local) -> Local:
        return body

    assert body_of(call(local, "POST", "/local", {"value": 4})) == {"value": 4}


def refused(make: Callable[[], object]) -> str:
    with pytest.raises(AppDefinitionError) as raised:
        make()
    message = str(raised.value)
    assert message.startswith(f"{HERE}:"), message
    return message


def test_a_parameter_nothing_feeds_is_refused_with_what_to_name_it() -> None:
    def make() -> None:
        @http("GET /users/{user_id}")
        def get_user(request: Request, user: int) -> None: ...

    message = refused(make)
    assert "(get_user): the parameter 'user' is neither the request" in message
    assert "nor a parameter of route 'GET /users/{user_id}' (user_id)" in message


def test_an_annotation_that_cannot_be_validated_is_refused() -> None:
    def make() -> None:
        @http("POST /sets")
        def sets(body: set[int]) -> None: ...

    assert "(sets): body: set[int] cannot be validated" in refused(make)


def test_an_annotation_naming_what_is_not_defined_is_refused() -> None:
    def make() -> None:
        @http("POST /later")
        def later(body: DefinedLater) -> None: ...  # type: ignore[name-defined]  # noqa: F821

    assert "(later): body: the annotation 'DefinedLater' cannot be resolved" in refused(make)


@pytest.mark.parametrize("status", [204, 302, 500])
def test_status_must_be_a_2xx_with_a_body(status: int) -> None:
    def make() -> None:
        @http("POST /status", status=status)
        def with_status(request: Request) -> None: ...

    assert f"status={status}; a reply's status is 2xx" in refused(make)


def test_star_arguments_are_refused() -> None:
    def make() -> None:
        @http("POST /star")
        def star(request: Request, *rest: Any) -> None: ...

    assert "takes named parameters only" in refused(make)


def test_a_query_that_is_not_a_model_is_refused() -> None:
    def make() -> None:
        @http("GET /q")
        def q(query: int) -> None: ...

    assert "declare the query parameters as the fields of a dataclass" in refused(make)
