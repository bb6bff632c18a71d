"""A typed `@http` handler: what its parameters and reply declare, read once when it is decorated, applied per call.

    @http("POST /notes/{note_id}", status=201)
    def create(request: Request, note_id: int, body: NoteIn, query: Options) -> NoteOut: ...

A parameter named after a route parameter takes the path value (converted to its annotation); `body` takes the
JSON body; `query` takes the query string, by a model whose fields are the parameters; the first parameter
otherwise takes the `Request`. A value that does not fit is a 422 listing every error (`path.note_id`,
`query.limit`, `body.title`), the same on every target; a reply that does not fit its annotation is a 500, logged
with the mismatch. Only a reply annotated with a model (a dataclass, a TypedDict or a Pydantic model, also within
`list[...]` or a union) is validated; `dict`, `str`, `bytes`, `None` and `Response` keep their plain meaning.
"""

from __future__ import annotations

import sys

from portable.errors import AppDefinitionError, HttpError, InvalidReply
from portable.request import Request, Response
from portable.runtime_typing import TYPE_CHECKING, NamedTuple
from portable.shapes import (
    BAD,
    Invalid,
    Namespace,
    Schemas,
    Shape,
    UnsupportedType,
    resolve,
    shape_of,
    uses_pydantic,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from portable.routes import Route

MAX_LISTED_ERRORS = 3
# CO_VARARGS | CO_VARKEYWORDS
_STAR_FLAGS = 0x04 | 0x08


class Param(NamedTuple):
    """One parameter of the handler: its name, what feeds it, how it is passed, and its shape (None: the Request)."""

    name: str
    source: str  # "request", "path", "query" or "body"
    positional: bool
    shape: Shape | None
    has_default: bool
    fields: tuple[tuple[str, bool], ...] = ()  # a query model's parameters, each with whether it takes a list


class HttpTypes(NamedTuple):
    """The compiled declarations of one handler: its parameters in order, its reply's shape and its status."""

    params: tuple[Param, ...]
    reply: Shape | None  # None: the reply follows the plain rules, unvalidated
    reply_annotation: Any  # the resolved return annotation, for the document
    status: int
    where: str

    def param(self, source: str) -> Param | None:
        return next((param for param in self.params if param.source == source), None)

    def call(self, handler: Callable[..., Any], request: Request) -> Any:
        """Run `handler` with its declared arguments; HttpError(422) when they do not fit, InvalidReply when its
        result does not fit."""
        positional: list[Any] = []
        keywords: dict[str, Any] = {}
        errors: list[Invalid] = []
        for param in self.params:
            value = self._argument(param, request, errors)
            if value is _OMITTED:
                continue
            if param.positional:
                positional.append(value)
            else:
                keywords[param.name] = value
        if errors:
            errors.sort(key=lambda error: _ORDER.get(str(error.location[0]), 3))  # path, query, body
            raise invalid_request(errors)
        return self._reply(handler(*positional, **keywords))

    def _argument(self, param: Param, request: Request, errors: list[Invalid]) -> Any:
        if param.shape is None:
            return request
        if param.source == "path":
            return param.shape.check(request.path_params.get(param.name), ("path", param.name), errors, text=True)
        if param.source == "query":
            return param.shape.check(_query_values(param.fields, request), ("query",), errors, text=True)
        if not request.body.strip():
            if param.has_default:
                return _OMITTED
            errors.append(Invalid(("body",), "Field required", "missing"))
            return BAD
        return param.shape.check(request.json(), ("body",), errors)

    def _reply(self, result: Any) -> Any:
        if self.reply is None:
            if self.status != 200 and result is not None and not isinstance(result, Response):
                return Response(result, status=self.status)
            return result
        if isinstance(result, Response):
            raise InvalidReply(
                f"{self.where} returned a Response, but its annotation declares a typed reply; return the value "
                "itself (with status= on @http for another status than 200), or annotate the handler -> Response",
                [],
            )
        errors: list[Invalid] = []
        data = self.reply.dump(result, ("reply",), errors)
        if errors:
            listed = "; ".join(f"{error.as_dict()['location']}: {error.message}" for error in errors)
            raise InvalidReply(f"{self.where} returned a reply that does not fit its annotation: {listed}", errors)
        if data is None:
            return None
        return Response(data, status=self.status)


_OMITTED: Any = object()
_ORDER = {"path": 0, "query": 1, "body": 2}


def _query_values(fields: tuple[tuple[str, bool], ...], request: Request) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, is_list in fields:
        if name in request.query:
            found = request.query.get_all(name)
            values[name] = found if is_list else found[-1]
    return values


def invalid_request(errors: list[Invalid]) -> HttpError:
    """The 422 listing every error, the first few in its message."""
    listed = [error.as_dict() for error in errors]
    shown = "; ".join(f"{error['location']}: {error['message']}" for error in listed[:MAX_LISTED_ERRORS])
    more = len(listed) - MAX_LISTED_ERRORS
    message = f"the request does not fit the route: {shown}" + (f"; and {more} more" if more > 0 else "")
    return HttpError(422, message, errors=listed)


def http_types(handler: Callable[..., Any], route: Route, status: int, where: str, scope: dict[str, Any]) -> HttpTypes:
    """The declarations of `handler` for `route`, checked; AppDefinitionError naming `where` for one that cannot
    work. `scope` holds the names visible where the handler was written (for annotations that are strings)."""
    names = Namespace(handler.__globals__, scope)
    code = handler.__code__
    if code.co_flags & _STAR_FLAGS:
        raise AppDefinitionError(
            f"{where}: a typed handler takes named parameters only, not *args or **kwargs; declare each one"
        )
    declared = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    defaults = len(handler.__defaults__ or ())
    with_default = set(declared[code.co_argcount - defaults : code.co_argcount]) | set(handler.__kwdefaults__ or {})
    annotations = dict(handler.__annotations__)
    params = []
    for index, name in enumerate(declared):
        source = _source(name, index, route, where)
        positional = index < code.co_posonlyargcount  # the others go by name, whatever is left out
        shape = None
        fields: tuple[tuple[str, bool], ...] = ()
        if source != "request":
            shape = _shape(annotations.get(name, str if source == "path" else object), names, f"{where}: {name}")
        if source == "query" and shape is not None:
            fields = tuple((field.name, field.is_list) for field in shape.fields(Schemas()))
            if not fields:
                raise AppDefinitionError(
                    f"{where}: query is annotated {annotations.get('query')!r}; declare the query parameters as the "
                    "fields of a dataclass, a TypedDict or a Pydantic model"
                )
        params.append(Param(name, source, positional, shape, name in with_default, fields))
    returned = resolve(annotations.get("return", object), names, f"{where}: its return annotation")
    reply = _shape(returned, names, f"{where}: its return annotation") if names_a_model(returned, names) else None
    if not 200 <= status <= 299 or status == 204:
        raise AppDefinitionError(
            f"{where}: status={status!r}; a reply's status is 2xx (204 is what returning None gives)"
        )
    return HttpTypes(tuple(params), reply, returned, status, where)


def _source(name: str, index: int, route: Route, where: str) -> str:
    if name in route.params:
        return "path"
    if name in ("body", "query"):
        return name
    if index == 0:
        return "request"
    params = ", ".join(route.params) or "none"
    raise AppDefinitionError(
        f"{where}: the parameter {name!r} is neither the request (the first parameter), `body` (the JSON body), "
        f"`query` (the query string's model) nor a parameter of route {route.key!r} ({params}); rename it to one "
        "of these, or read it from the request"
    )


def _shape(annotation: Any, names: Namespace, what: str) -> Shape:
    try:
        if uses_pydantic(annotation, names, what):
            from portable.pydantic_shapes import PydanticShape

            return PydanticShape(resolve(annotation, names, what))
        return shape_of(annotation, names, what)
    except UnsupportedType as exc:
        raise AppDefinitionError(str(exc)) from None
    except Exception as exc:  # Pydantic refusing a type, e.g. one it cannot build a schema for
        raise AppDefinitionError(f"{what}: {type(exc).__name__}: {exc}") from None


def names_a_model(annotation: Any, names: Namespace, seen: set[int] | None = None) -> bool:
    """Whether a dataclass, a TypedDict or a Pydantic model appears in `annotation`: then the reply is validated."""
    seen = set() if seen is None else seen
    annotation = resolve(annotation, names, "the return annotation")
    if id(annotation) in seen:
        return False
    seen.add(id(annotation))
    if isinstance(annotation, type):
        pydantic = sys.modules.get("pydantic")
        return (
            hasattr(annotation, "__dataclass_fields__")
            or (issubclass(annotation, dict) and hasattr(annotation, "__required_keys__"))
            or (pydantic is not None and issubclass(annotation, pydantic.BaseModel))
        )
    if hasattr(annotation, "__metadata__"):
        return names_a_model(annotation.__origin__, names, seen)
    literal = getattr(sys.modules.get("typing"), "Literal", None)
    if literal is not None and getattr(annotation, "__origin__", None) is literal:
        return False
    return any(names_a_model(arg, names, seen) for arg in getattr(annotation, "__args__", ()) if arg is not ...)
