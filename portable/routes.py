"""HTTP route strings: `POST /users/{id}`, parsed once, matched against request paths."""

from __future__ import annotations

import functools
import re

from portable.runtime_typing import NamedTuple

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")
_PARAM = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)(\+?)\}$")
_LITERAL = re.compile(r"^[A-Za-z0-9._~!$&'()*,;=:@-]+$")
_EXPRESS_PARAM = re.compile(r"^:[A-Za-z_][A-Za-z0-9_]*$")


class RouteError(ValueError):
    """A route string is malformed; the message says how to write it."""


class Segment(NamedTuple):
    """One `/`-separated piece of a route path: a literal, or a parameter (`{id}`, greedy `{path+}`)."""

    text: str
    is_param: bool = False
    greedy: bool = False


class Route(NamedTuple):
    method: str
    path: str

    @property
    def key(self) -> str:
        """`GET /users/{id}`: also how API Gateway writes a route key."""
        return f"{self.method} {self.path}"

    @property
    def segments(self) -> tuple[Segment, ...]:
        return _segments(self.path)

    @property
    def params(self) -> tuple[str, ...]:
        return _params(self.path)

    @property
    def path_shape(self) -> str:
        """The path with parameter names blanked."""
        return "/" + "/".join("{}" if seg.is_param else seg.text for seg in self.segments)

    @property
    def shape(self) -> str:
        """Method and path with parameter names blanked: two routes of one shape cannot be told apart."""
        return f"{self.method} {self.path_shape}"

    def match(self, path: str) -> dict[str, str] | None:
        """The path parameters if `path` (decoded) fits this route, else None."""
        wanted = self.segments
        given = path.split("/")[1:] if path.startswith("/") else path.split("/")
        if given == [""]:
            given = []
        params: dict[str, str] = {}
        for index, segment in enumerate(wanted):
            if segment.greedy:
                rest = "/".join(given[index:])
                if not rest:
                    return None
                params[segment.text] = rest
                return params
            if index >= len(given):
                return None
            if segment.is_param:
                if not given[index]:
                    return None
                params[segment.text] = given[index]
            elif segment.text != given[index]:
                return None
        if len(given) != len(wanted):
            return None
        return params

    @property
    def specificity(self) -> tuple[int, ...]:
        """Orders routes that match one path as API Gateway does: literal text before a parameter, a greedy last."""
        return tuple(0 if segment.greedy else 1 if segment.is_param else 2 for segment in self.segments)

    def allows(self, method: str) -> bool:
        return self.method == "ANY" or self.method == method.upper()


@functools.cache  # a function matches its one route on every call: parse the path once
def _segments(path: str) -> tuple[Segment, ...]:
    return tuple(_segment(text) for text in path.split("/") if text)


@functools.cache  # asked on every call of a function whose event carries no path parameters
def _params(path: str) -> tuple[str, ...]:
    return tuple(segment.text for segment in _segments(path) if segment.is_param)


def _segment(text: str) -> Segment:
    param = _PARAM.match(text)
    if param is None:
        return Segment(text)
    return Segment(param.group(1), is_param=True, greedy=bool(param.group(2)))


def parse_route(text: str) -> Route:
    """`"POST /hello"` -> Route("POST", "/hello"), or RouteError saying what to fix."""
    example = "write it as 'METHOD /path', for example 'POST /hello' or 'GET /users/{id}'"
    parts = text.split()
    if len(parts) != 2:
        raise RouteError(f"route {text!r} is malformed: {example}")
    method, path = parts[0].upper(), parts[1]
    if method not in METHODS:
        raise RouteError(f"route {text!r} has unknown method {parts[0]!r}: use one of {', '.join(METHODS)}")
    if not path.startswith("/"):
        raise RouteError(f"route {text!r}: the path must start with '/'; {example}")
    segments = path.split("/")[1:]
    if path != "/" and "" in segments:
        raise RouteError(f"route {text!r} has an empty segment or a trailing '/': remove it")
    names: set[str] = set()
    for index, segment in enumerate(segments if path != "/" else []):
        param = _PARAM.match(segment)
        if param:
            if param.group(1) in names:
                raise RouteError(f"route {text!r} uses the parameter {{{param.group(1)}}} twice: rename one")
            names.add(param.group(1))
            if param.group(2) and index != len(segments) - 1:
                raise RouteError(f"route {text!r}: a greedy parameter {segment} must be the last segment")
        elif _EXPRESS_PARAM.match(segment):
            fixed = "/" + "/".join(f"{{{part[1:]}}}" if _EXPRESS_PARAM.match(part) else part for part in segments)
            raise RouteError(
                f"route {text!r} uses the Express-style parameter {segment!r}, which would be taken as literal "
                f"text: write it as {{{segment[1:]}}}, i.e. '{method} {fixed}'"
            )
        elif not _LITERAL.match(segment):
            raise RouteError(
                f"route {text!r} has an invalid segment {segment!r}: use letters, digits and -._~, "
                "or a parameter such as {id} or {path+}"
            )
    return Route(method, path)
