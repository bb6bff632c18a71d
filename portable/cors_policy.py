"""CORS, declared once for the App: `portable.cors(allow_origins=[...], ...)`.

The rule of what a preflight gets and which headers an actual reply carries lives here once. The
deploy writes it into AWS's `corsConfiguration`; the GCP shim and the local runner apply it, and the
test kit's stand-in of API Gateway on AWS applies it as that gateway does. The deploy hands the
effective configuration (after the stack's `portable:corsAllowOrigins`) to GCP functions in
`PORTABLE_CORS`, whose format is encoded and decoded here.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

from portable.errors import AppDefinitionError
from portable.runtime_typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from portable.request import Headers

ENVIRONMENT_VARIABLE = "PORTABLE_CORS"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
MAX_AGE_MAX_SECONDS = 86400  # API Gateway's limit on maxAge
_HEADER_NAME_CHARACTERS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz")


class Cors(NamedTuple):
    """The App's CORS policy. Header names are kept in lower case, methods in upper case.

    Attributes:
        allow_origins: The origins whose pages may call the API; `("*",)` for any.
        allow_methods: The methods a preflight may ask for.
        allow_headers: The request headers a preflight may ask for.
        expose_headers: The reply headers a page's script may read.
        max_age: How long, in seconds, a browser may keep a preflight's answer; None leaves it to the browser.
        allow_credentials: Whether a page may send cookies and authorization with its calls.
    """

    allow_origins: tuple[str, ...]
    allow_methods: tuple[str, ...]
    allow_headers: tuple[str, ...]
    expose_headers: tuple[str, ...]
    max_age: int | None
    allow_credentials: bool

    def allows_origin(self, origin: str) -> bool:
        """Whether a browser page of `origin` may call the API."""
        return "*" in self.allow_origins or origin in self.allow_origins

    def origin_header(self, origin: str) -> str:
        """The value of Access-Control-Allow-Origin for an allowed `origin`."""
        return "*" if self.allow_origins == ("*",) and not self.allow_credentials else origin

    def with_origins(self, origins: Iterable[str], where: str) -> Cors:
        """This policy with the stack's origins in place of the declared ones, checked the same way."""
        return self._replace(allow_origins=_origins(origins, where))._checked(where)

    def _checked(self, where: str) -> Cors:
        if self.allow_credentials and "*" in self.allow_origins:
            raise AppDefinitionError(
                f"{where}: allow_credentials=True with the origin '*' is refused by browsers and by API Gateway; "
                "list the origins that may send credentials, e.g. allow_origins=['https://app.example.com']"
            )
        return self


_declared: dict[str, Cors] = {}


def cors(
    allow_origins: Iterable[str],
    allow_methods: Iterable[str] = ("GET", "POST", "PUT", "PATCH", "DELETE"),
    allow_headers: Iterable[str] = ("authorization", "content-type"),
    expose_headers: Iterable[str] = (),
    max_age: int | None = None,
    allow_credentials: bool = False,
) -> Cors:
    """Declare the App's CORS policy (once, in any module of `functions/`); returns it."""
    frame = sys._getframe(1)
    where = f"{frame.f_code.co_filename}:{frame.f_lineno} (cors)"
    if max_age is not None and (
        isinstance(max_age, bool) or not isinstance(max_age, int) or not 0 <= max_age <= MAX_AGE_MAX_SECONDS
    ):
        raise AppDefinitionError(
            f"{where}: max_age must be whole seconds from 0 to {MAX_AGE_MAX_SECONDS}, got {max_age!r}"
        )
    if not isinstance(allow_credentials, bool):
        raise AppDefinitionError(f"{where}: allow_credentials must be True or False, got {allow_credentials!r}")
    policy = Cors(
        allow_origins=_origins(allow_origins, where),
        allow_methods=_methods(allow_methods, where),
        allow_headers=_header_names(allow_headers, "allow_headers", where),
        expose_headers=_header_names(expose_headers, "expose_headers", where),
        max_age=max_age,
        allow_credentials=allow_credentials,
    )._checked(where)
    _declared[frame.f_globals.get("__name__", "")] = policy
    return policy


# What a page may do with a bucket's signed URLs: read, look at and upload an object, sending its Content-Type, and
# read the ETag of what it uploaded. Browsers keep the preflight's answer this long.
SIGNED_URL_METHODS = ("GET", "HEAD", "PUT")
SIGNED_URL_MAX_AGE_SECONDS = 3600


def for_signed_urls(origins: Iterable[str]) -> Cors:
    """The CORS policy of a bucket's signed URLs for pages of `origins`: S3's CORS rules, Cloud Storage's `cors` and
    the local runner's preflight replies all say this."""
    return Cors(
        allow_origins=tuple(origins),
        allow_methods=SIGNED_URL_METHODS,
        allow_headers=("content-type",),
        expose_headers=("etag",),
        max_age=SIGNED_URL_MAX_AGE_SECONDS,
        allow_credentials=False,
    )


def header_case(name: str) -> str:
    """A header name as written in documentation and cloud consoles: `content-type` as Content-Type, `etag` as ETag."""
    return "ETag" if name == "etag" else "-".join(part.capitalize() for part in name.split("-"))


def checked_origins(origins: Iterable[str], where: str) -> tuple[str, ...]:
    """`origins` as a tuple, each following the Origin header's grammar; AppDefinitionError naming `where`."""
    return _origins(origins, where)


def declared_for(package: str) -> Cors | None:
    """The policy a module of `package` declared, None if none did; two different ones are refused."""
    found = {policy for module, policy in _declared.items() if module == package or module.startswith(package + ".")}
    if len(found) > 1:
        raise AppDefinitionError(
            f"package {package!r} declares portable.cors(...) {len(found)} times with different settings; "
            "declare it once, in one module"
        )
    return found.pop() if found else None


def _strings(values: Iterable[str], option: str, where: str) -> list[str]:
    if isinstance(values, str):
        raise AppDefinitionError(
            f"{where}: {option}= takes a list, got the string {values!r}; write {option}=[{values!r}]"
        )
    listed = list(values)
    for value in listed:
        if not isinstance(value, str) or not value:
            raise AppDefinitionError(f"{where}: {option}= takes non-empty strings, got {value!r}")
    return listed


def _origins(values: Iterable[str], where: str) -> tuple[str, ...]:
    origins = _strings(values, "allow_origins", where)
    if not origins:
        raise AppDefinitionError(
            f"{where}: allow_origins= is empty; list the origins browsers may call from, "
            "e.g. ['https://app.example.com'], or ['*'] for any"
        )
    for origin in origins:
        wrong = origin_refusal(origin)
        if wrong:
            raise AppDefinitionError(
                f"{where}: origin {origin!r} is not an origin as browsers send it ({wrong}); write "
                "scheme://host[:port], e.g. 'https://app.example.com', or '*' for any"
            )
    return tuple(dict.fromkeys(origins))


_DEFAULT_PORTS = {"http": "80", "https": "443"}
_LABEL_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def origin_refusal(origin: str) -> str | None:
    """What keeps `origin` from being one a browser sends in its Origin header (RFC 6454's serialization: a
    scheme, a host in lower case, and a port unless it is the scheme's default), else None; '*' is fine."""
    if origin == "*":
        return None
    scheme, separator, authority = origin.partition("://")
    if scheme not in _DEFAULT_PORTS or not separator:
        return "it must start with https:// or http://"
    if not authority.isascii():
        return "browsers send a host of other letters in its ASCII form (xn--...)"
    if not authority or not authority.isprintable() or any(c in authority for c in "/?#@ \\"):
        return "after the scheme comes only a host and a port: no path, query, user or space"
    host, port = _host_and_port(authority)
    if port is not None and not (port.isdigit() and not port.startswith("0") and 0 < int(port) < 65536):
        return f"port {port!r} is not a port number"
    if port == _DEFAULT_PORTS[scheme]:
        return f"browsers leave out {scheme}'s default port {port}"
    if host != host.lower():
        return "browsers send the host in lower case"
    if host.startswith("["):
        return None if host.endswith("]") and _is_ipv6(host[1:-1]) else f"{host} is not an IPv6 address"
    labels = host.split(".")
    if len(host) > 253 or not all(
        0 < len(label) <= 63 and _LABEL_CHARACTERS.issuperset(label) and label[0] != "-" and label[-1] != "-"
        for label in labels
    ):
        return f"{host!r} is not a host name: labels of letters, digits and '-', no wildcard, no empty label"
    return None


def _host_and_port(authority: str) -> tuple[str, str | None]:
    if authority.startswith("["):
        end = authority.find("]")
        if end == -1:
            return authority, None
        rest = authority[end + 1 :]
        return authority[: end + 1], rest[1:] if rest.startswith(":") else (rest or None)
    host, separator, port = authority.partition(":")
    return host, port if separator else None


def _is_ipv6(text: str) -> bool:
    import ipaddress  # the declaration's check only

    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _methods(values: Iterable[str], where: str) -> tuple[str, ...]:
    methods = [method.upper() for method in _strings(values, "allow_methods", where)]
    for method in methods:
        if method != "*" and method not in METHODS:
            raise AppDefinitionError(f"{where}: allow_methods has {method!r}; use {', '.join(METHODS)} or '*'")
    return tuple(dict.fromkeys(methods))


def _header_names(values: Iterable[str], option: str, where: str) -> tuple[str, ...]:
    names = [name.lower() for name in _strings(values, option, where)]
    for name in names:
        if name != "*" and not _HEADER_NAME_CHARACTERS.issuperset(name):
            raise AppDefinitionError(f"{where}: {option} has {name!r}, which is not an HTTP header name")
    return tuple(dict.fromkeys(names))


def is_preflight(method: str, headers: Headers) -> bool:
    """An OPTIONS request a browser sends before a cross-origin call: with Origin and the method it wants."""
    return method.upper() == "OPTIONS" and "origin" in headers and "access-control-request-method" in headers


def preflight_refusal(policy: Cors, headers: Headers) -> str | None:
    """Why a preflight is refused (its origin, method or a header it asks for is not allowed), else None."""
    origin = headers.get("origin", "")
    method = headers.get("access-control-request-method", "").upper()
    asked = [name.lower() for name in headers.get_all("access-control-request-headers") if name]
    if not policy.allows_origin(origin):
        return (
            f"origin {origin!r} may not call this API; add it to portable.cors(allow_origins=[...]) or to the "
            "stack's portable:corsAllowOrigins"
        )
    if "*" not in policy.allow_methods and method not in policy.allow_methods:
        return (
            f"method {method!r} is not allowed from other origins; add it to portable.cors(allow_methods=[...])"
            f" (allowed: {', '.join(policy.allow_methods)})"
        )
    unknown = [name for name in asked if name not in policy.allow_headers]
    if "*" not in policy.allow_headers and unknown:
        return f"header {unknown[0]!r} is not allowed from other origins; add it to portable.cors(allow_headers=[...])"
    return None


def preflight_headers(policy: Cors, origin: str) -> list[tuple[str, str]]:
    """The CORS headers of an allowed preflight's reply."""
    headers = [
        ("Access-Control-Allow-Origin", policy.origin_header(origin)),
        ("Access-Control-Allow-Methods", ",".join(policy.allow_methods)),
    ]
    if policy.allow_headers:
        headers.append(("Access-Control-Allow-Headers", ",".join(policy.allow_headers)))
    if policy.max_age is not None:
        headers.append(("Access-Control-Max-Age", str(policy.max_age)))
    return headers + _shared_headers(policy)


def _shared_headers(policy: Cors) -> list[tuple[str, str]]:
    shared = [("Vary", "Origin")]
    if policy.allow_credentials:
        shared.append(("Access-Control-Allow-Credentials", "true"))
    return shared


def reply_headers(policy: Cors, origin: str | None) -> list[tuple[str, str]]:
    """The CORS headers an actual reply to a request from `origin` carries; none for a disallowed origin."""
    if not origin or not policy.allows_origin(origin):
        return []
    headers = [("Access-Control-Allow-Origin", policy.origin_header(origin))]
    if policy.expose_headers:
        headers.append(("Access-Control-Expose-Headers", ",".join(policy.expose_headers)))
    return headers + _shared_headers(policy)


def to_environment(policy: Cors) -> str:
    return json.dumps(policy._asdict(), separators=(",", ":"))


def from_environment(text: str) -> Cors:
    fields = json.loads(text)
    return Cors(
        allow_origins=tuple(fields["allow_origins"]),
        allow_methods=tuple(fields["allow_methods"]),
        allow_headers=tuple(fields["allow_headers"]),
        expose_headers=tuple(fields["expose_headers"]),
        max_age=fields["max_age"],
        allow_credentials=bool(fields["allow_credentials"]),
    )
