"""The portable HTTP request a handler receives and the response it may return."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping

from portable.errors import HttpError
from portable.runtime_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Self, TypeVar, overload

    from portable.auth import Auth

    T = TypeVar("T")


class MultiDict(Mapping[str, str]):
    """Ordered name -> values; `d[name]` and `get` give the first value, `get_all` all."""

    _case_insensitive = False

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        values: dict[str, list[str]] = {}
        fold = self._case_insensitive
        for name, value in pairs:
            key = name.lower() if fold else name
            if key in values:
                values[key].append(value)
            else:
                values[key] = [value]
        self._values = values

    @classmethod
    def _adopting(cls, values: dict[str, list[str]]) -> Self:
        """The multidict of `values` (name -> values, names already folded if the class folds them), which it
        takes as its own: how a codec that has just built them hands them over without a second pass."""
        made = cls.__new__(cls)
        made._values = values
        return made

    def _fold(self, name: str) -> str:
        return name.lower() if self._case_insensitive else name

    def __getitem__(self, name: str) -> str:
        return self._values[self._fold(name)][0]

    if TYPE_CHECKING:  # the overloads are for type checkers only: `typing` stays out of a cold start

        @overload
        def get(self, name: str, /) -> str | None: ...

        @overload
        def get(self, name: str, /, default: str | T) -> str | T: ...

    def get(self, name: str, /, default: object = None) -> object:
        # Mapping.get would raise and catch KeyError on every miss.
        values = self._values.get(self._fold(name))
        return values[0] if values else default

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._fold(name) in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def get_all(self, name: str) -> list[str]:
        """Every value of `name`, in the order sent; an empty list if there is none."""
        return list(self._values.get(self._fold(name), []))

    def items_all(self) -> list[tuple[str, str]]:
        """Every (name, value) pair, in the order sent."""
        return [(name, value) for name, values in self._values.items() for value in values]

    def _value_lists(self) -> Iterable[tuple[str, list[str]]]:
        """Each name with its values, without copying them: for reading only."""
        return self._values.items()

    def to_dict(self) -> dict[str, list[str]]:
        """Every name with all its values."""
        return {name: list(values) for name, values in self._values.items()}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MultiDict) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.items_all()!r})"


class Query(MultiDict):
    """Query parameters, multi-valued, in the order the client sent them."""


NO_QUERY = Query()  # what a request without a query string carries: never changed (a Query has no setter)


class Headers(MultiDict):
    """Request headers: names folded to lower case; a repeated header is one value.

    Every front door (API Gateway 2.0, WSGI servers) joins a repeated header with
    commas before the function sees it, so `get` returns that joined value everywhere
    and `get_all` splits it on commas (RFC 9110 list syntax).
    """

    _case_insensitive = True

    def get_all(self, name: str) -> list[str]:
        """Every value of the header `name`, a comma-joined value split on its commas."""
        return [part.strip() for value in super().get_all(name) for part in value.split(",")]


def parse_cookie_header(header: str | None) -> dict[str, str]:
    """`a=1; b=2` -> {"a": "1", "b": "2"}; the first of a repeated name wins, as in browsers."""
    cookies: dict[str, str] = {}
    if not header:
        return cookies
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name and name not in cookies:
            cookies[name] = value.strip().strip('"')
    return cookies


class Request:
    """What an HTTP handler receives, identical on AWS, GCP and locally.

    Attributes:
        method: The method, in upper case.
        path: The path, percent-decoded, without any API Gateway stage prefix.
        path_params: The route's parameters, decoded: `{"id": "42"}` for `/users/{id}`.
        query: The query parameters, multi-valued, in the order sent.
        headers: The headers, case-insensitive; a header sent twice is one comma-joined value.
        cookies: `{"name": "value"}`; the first of a repeated name wins.
        body: The body as bytes, base64 already decoded.
        client_ip: The caller's address: API Gateway's `sourceIp`, or on GCP the first `X-Forwarded-For` address.
        request_id: The gateway's request id (or the execution or trace id on GCP), else a generated one.
        auth: The verified caller of a route declared with `auth=`; None on an open route.
    """

    __slots__ = (
        "_json",
        "auth",
        "body",
        "client_ip",
        "cookies",
        "headers",
        "method",
        "path",
        "path_params",
        "query",
        "request_id",
    )

    def __init__(
        self,
        *,
        method: str,
        path: str,
        body: bytes = b"",
        path_params: dict[str, str] | None = None,
        query: Query | None = None,
        headers: Headers | None = None,
        cookies: dict[str, str] | None = None,
        client_ip: str | None = None,
        request_id: str,
        auth: Auth | None = None,
    ) -> None:
        self.method = method.upper()
        self.path = path
        self.path_params = path_params or {}
        self.query = query if query is not None else NO_QUERY
        self.headers = headers if headers is not None else Headers()
        self.cookies = cookies if cookies is not None else parse_cookie_header(self.headers.get("cookie"))
        self.body = body
        self.client_ip = client_ip
        self.request_id = request_id
        # The verified caller of a route declared with auth=; None on an open route.
        self.auth = auth
        self._json: Any = _UNPARSED

    @property
    def text(self) -> str:
        """The body as text; bytes that are not UTF-8 answer 400."""
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HttpError(400, f"request body is not UTF-8 text: {exc.reason} at byte {exc.start}") from None

    def json(self) -> Any:
        """The body parsed as JSON; an empty, malformed, too deeply nested or non-Unicode body answers 400."""
        if self._json is _UNPARSED:
            self._json = _parse_json(self.text)
        return self._json

    def as_dict(self) -> dict[str, Any]:
        """Every portable field as plain data, for comparing targets and for logs."""
        return {
            "method": self.method,
            "path": self.path,
            "path_params": dict(self.path_params),
            "query": self.query.to_dict(),
            "headers": self.headers.to_dict(),
            "cookies": dict(self.cookies),
            "body": self.body,
            "client_ip": self.client_ip,
            "request_id": self.request_id,
            "auth": self.auth._asdict() if self.auth is not None else None,
        }

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.path} id={self.request_id}>"


_UNPARSED: Any = object()
_new = object.__new__


def decoded_request(
    method: str,
    path: str,
    path_params: dict[str, str],
    query: Query,
    headers: Headers,
    cookies: dict[str, str],
    body: bytes,
    client_ip: str | None,
    request_id: str,
) -> Request:
    """The Request of a codec that has read every field (none defaulted, no caller yet): what `Request(...)` makes of
    them, spared its keyword binding (half a microsecond on every request's path)."""
    request = _new(Request)
    request.method = method.upper()
    request.path = path
    request.path_params = path_params
    request.query = query
    request.headers = headers
    request.cookies = cookies
    request.body = body
    request.client_ip = client_ip
    request.request_id = request_id
    request.auth = None
    request._json = _UNPARSED
    return request


def _parse_json(text: str) -> Any:
    if not text.strip():
        raise HttpError(400, "request body is empty; send a JSON document")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HttpError(
            400, f"request body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise HttpError(400, "request body is JSON nested too deeply to parse") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        reason = str(exc).split(":")[0]
        raise HttpError(400, f"request body holds a JSON value that cannot be read ({reason})") from None
    if "\\u" in text:
        try:  # escapes such as \ud800 parse to text that is not Unicode; refuse it here, not in a write later
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise HttpError(400, "request body holds a \\u escape of a lone surrogate, which is not text") from None
        except RecursionError:
            raise HttpError(400, "request body is JSON nested too deeply to parse") from None
    return value


class Response:
    """Return one from an HTTP handler to set the status, headers or cookies.

    `body` follows the same rules as a plain return value: dict or list is JSON,
    str is text, bytes are binary, None is an empty body.
    """

    def __init__(
        self,
        body: Any = None,
        status: int = 200,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        content_type: str | None = None,
    ) -> None:
        if not 100 <= status <= 599:
            raise ValueError(f"HTTP status must be between 100 and 599, got {status}")
        self.body = body
        self.status = status
        pairs = headers.items() if isinstance(headers, Mapping) else (headers or ())
        self.headers: list[tuple[str, str]] = [(str(k), str(v)) for k, v in pairs]
        self.content_type = content_type
        self.cookies: list[str] = []

    def set_cookie(
        self,
        name: str,
        value: str,
        *,
        max_age: int | None = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = True,
        http_only: bool = True,
        same_site: str | None = "Lax",
    ) -> Response:
        """Add a `Set-Cookie` header to the reply and return the response, so that calls can be chained.

        The defaults are the safe ones: `Path=/`, `Secure`, `HttpOnly` and `SameSite=Lax`; pass `max_age` (seconds)
        for a cookie that outlives the browser session.
        """
        parts = [f"{name}={value}"]
        if max_age is not None:
            parts.append(f"Max-Age={max_age}")
        if path:
            parts.append(f"Path={path}")
        if domain:
            parts.append(f"Domain={domain}")
        if secure:
            parts.append("Secure")
        if http_only:
            parts.append("HttpOnly")
        if same_site:
            parts.append(f"SameSite={same_site}")
        self.cookies.append("; ".join(parts))
        return self
