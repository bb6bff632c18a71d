"""JWT auth per route: `users = portable.jwt_auth(issuer=..., audiences=[...])`, then `@http(..., auth=users)`.

The gateway in front of the functions verifies the token (API Gateway's JWT authorizer on AWS, API
Gateway's `x-google-issuer` security on GCP, the local runner locally); the shim hands the handler
the verified claims as `request.auth`. The rules that make `request.auth` the same everywhere live
here: how a claim's value reads as text and where the scopes come from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from portable.errors import AppDefinitionError
from portable.runtime_typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from typing import Any

_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def _is_name(name: object) -> bool:
    """1 to 64 ASCII letters, digits, '_' or '-', starting with a letter (no `re`: HTTP functions load this)."""
    return (
        isinstance(name, str)
        and 0 < len(name) <= 64
        and name[0].isascii()
        and name[0].isalpha()
        and _NAME_CHARACTERS.issuperset(name)
    )


class JwtAuth(NamedTuple):
    """Who may call a route: tokens signed by `issuer` (keys at `jwks_uri`) for one of `audiences`.

    `name` is how the stack's config (`portable:jwtAuth.<name>`) and the gateways name it.

    Attributes:
        name: How the stack's config and the gateways name this issuer.
        issuer: The `iss` the tokens carry.
        audiences: The `aud` values accepted; a token must carry one of them.
        jwks_uri: Where the issuer publishes its signing keys.
    """

    name: str
    issuer: str
    audiences: tuple[str, ...]
    jwks_uri: str


def jwt_auth(
    issuer: str,
    audiences: Iterable[str],
    *,
    name: str = "jwt",
    jwks_uri: str | None = None,
) -> JwtAuth:
    """Declare a JWT issuer that routes may require with `@http(..., auth=...)`.

    `jwks_uri` defaults to `<issuer>/.well-known/jwks.json` (Auth0, Cognito and most issuers); GCP's
    gateway needs it spelt out, AWS's finds it through the issuer's OpenID discovery document.
    """
    where = "portable.jwt_auth(...)"
    return checked(name, issuer, audiences, jwks_uri, where)


def checked(name: Any, issuer: Any, audiences: Any, jwks_uri: Any, where: str) -> JwtAuth:
    """A JwtAuth from declared or configured values; AppDefinitionError naming `where` and the fix."""
    if not _is_name(name):
        raise AppDefinitionError(
            f"{where}: name {name!r} must be 1 to 64 letters, digits, '_' or '-', starting with a letter"
        )
    if not isinstance(issuer, str) or (not issuer.startswith("https://") and not issuer.startswith("http://")):
        raise AppDefinitionError(
            f"{where}: issuer must be the token issuer's URL (the `iss` claim), e.g. "
            f"'https://example.auth0.com/', got {issuer!r}"
        )
    if isinstance(audiences, str) or not isinstance(audiences, Iterable):
        raise AppDefinitionError(f"{where}: audiences must be a list of strings, e.g. ['my-api'], got {audiences!r}")
    listed = tuple(audiences)
    if not listed or not all(isinstance(audience, str) and audience for audience in listed):
        raise AppDefinitionError(
            f"{where}: audiences must name at least one audience (the `aud` claim the API "
            f"accepts), e.g. ['my-api'], got {list(listed)!r}"
        )
    if jwks_uri is None:
        jwks_uri = issuer.rstrip("/") + "/.well-known/jwks.json"
    if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
        raise AppDefinitionError(f"{where}: jwks_uri must be the URL of the issuer's signing keys, got {jwks_uri!r}")
    return JwtAuth(name, issuer, listed, jwks_uri)


def deployed_refusal(auth: JwtAuth) -> str | None:
    """Why a deployed gateway cannot take `auth`, else None: its issuer and keys must be https URLs a gateway reaches
    over the internet (AWS's authorizer takes https issuers only), so not this machine's loopback. Locally any
    issuer does, the development issuer included."""
    from urllib.parse import urlsplit  # the deploy's check only: HTTP functions never load urllib

    for field, url in (("issuer", auth.issuer), ("jwks_uri", auth.jwks_uri)):
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme != "https":
            return f"its {field} {url!r} is not an https URL, which a deployed gateway requires"
        if host == "localhost" or host.endswith(".localhost") or _is_loopback_address(host):
            return f"its {field} {url!r} is on this machine's loopback, which no deployed gateway reaches"
    return None


def _is_loopback_address(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


class Auth(NamedTuple):
    """The caller of a route that requires auth: `request.auth`, the same on every target.

    `claims` are the verified token's claims, each value as text the way API Gateway on AWS gives
    them (numbers and booleans as their JSON text, a list as `[a b]`); `scopes` the granted scopes.

    Attributes:
        subject: The token's `sub` claim; None if it has none.
        scopes: The scopes granted: API Gateway's on AWS, else the `scope` claim split on spaces.
        claims: Every claim of the token, each value as text.
    """

    subject: str | None
    scopes: tuple[str, ...]
    claims: dict[str, str]


# How deep a claim's value may nest lists and objects; deeper ones are refused, as no issuer writes them.
CLAIMS_MAX_DEPTH = 20
# The claims a gateway reads as times: JSON numbers (RFC 7519's NumericDate), never text.
TIME_CLAIMS = ("exp", "nbf", "iat")


class UnreadableClaims(ValueError):
    """Claims no gateway would hand on: the message says what is wrong with them."""


def check_token_claims(claims: Mapping[str, Any]) -> None:
    """The gateways' rule for a token's own claims, which the local runner applies as they do: its times are JSON
    numbers; any other claim may hold any JSON value (`request.auth` renders it as text), within what
    `auth_from_claims` reads. UnreadableClaims if not."""
    _checked_value(dict(claims), 0)
    for name in TIME_CLAIMS:
        value = claims.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise UnreadableClaims(
                f"the token's {name!r} claim must be a number of seconds since 1970, got {value!r:.40}"
            )


def _checked_value(value: Any, depth: int) -> None:
    """UnreadableClaims for text that is not valid Unicode (a lone surrogate) or nesting past CLAIMS_MAX_DEPTH."""
    pending = [(value, depth)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    raise UnreadableClaims("a claim holds text that is not valid Unicode (a lone surrogate)") from None
        elif isinstance(item, (list, dict)):
            if level >= CLAIMS_MAX_DEPTH:
                raise UnreadableClaims(f"a claim nests lists or objects more than {CLAIMS_MAX_DEPTH} deep")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, level + 1) for child in children)


def claim_text(value: Any) -> str:
    """One claim's value as text, as API Gateway's JWT authorizer renders it."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + " ".join(claim_text(item) for item in value) + "]"
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _listed(value: Any) -> list[str]:
    """A claim or scope list as strings: a JSON list, or text of `a b` or `[a b]`."""
    if isinstance(value, list):
        return [claim_text(item) for item in value]
    if isinstance(value, str):
        text = value[1:-1] if value.startswith("[") and value.endswith("]") else value
        return text.split()
    return []


def auth_from_claims(claims: Mapping[str, Any], granted_scopes: Any = None) -> Auth:
    """`request.auth` of verified `claims`; the scopes are those the gateway granted, else the `scope` claim.

    API Gateway on AWS lists an access token's scopes in `scopes` (null or absent for an ID token);
    GCP's gateway and the local runner pass only the claims. UnreadableClaims for claims no handler could be
    handed: text that is not valid Unicode, or lists and objects nested more than CLAIMS_MAX_DEPTH deep; a shim
    then has no verified caller, and the route answers 401.
    """
    _checked_value(dict(claims), 0)
    _checked_value(granted_scopes, 0)
    scopes = _listed(granted_scopes) or _listed(claims.get("scope"))
    subject = claims.get("sub")
    return Auth(
        subject=claim_text(subject) if subject is not None else None,
        scopes=tuple(scopes),
        claims={str(name): claim_text(value) for name, value in claims.items()},
    )
