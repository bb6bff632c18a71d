"""Who may call the local runner's control endpoints (/__portable/), and the check of each call.

By default only a caller on this machine: a loopback peer address, addressing the runner by a loopback name on its
own port, and not a web page of another origin or site (Origin, Sec-Fetch-Site), so that neither another machine nor
a page elsewhere in the user's browser nor a DNS name rebound to 127.0.0.1 can drive the runner. A runner listening
beyond this machine turns them off, unless `--expose-control` opens them to whoever sends the token it printed: in
`Authorization: Bearer <token>`, or, for a browser showing the dashboard, in the cookie that opening the printed link
(`/__portable/?token=<token>`) sets. Standard library only: the reloader, which never imports the App, makes the
token.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import NamedTuple

from providers.local.wsgi import Environ, Refused

PREFIX = "/__portable/"
# Where a browser keeps the token under --expose-control: sent with the runner's own pages' calls only.
COOKIE = "portable-control"
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
_FOREIGN_SITES = frozenset({"cross-site", "same-site"})


class ControlAccess(NamedTuple):
    """Who may call the control endpoints: loopback peers only (`token` None, the default), nobody (`enabled` False:
    the runner listens beyond this machine), or any peer that sends `token` (`--expose-control`)."""

    enabled: bool = True
    token: str | None = None

    @classmethod
    def for_host(cls, host: str, expose: bool, token: str | None = None) -> ControlAccess:
        """The access of a runner listening on `host`: loopback-only on a loopback address; elsewhere off, or with
        `expose` open to `token`'s holders (a new random one unless given)."""
        if expose:
            import secrets

            return cls(True, token or secrets.token_urlsafe(24))
        return cls(is_loopback(host))

    def described(self, url: str) -> str:
        """One line for the runner's banner: where the dashboard and the control endpoints are, and who may call
        them."""
        if not self.enabled:
            return (
                "  dashboard: off, since the runner listens beyond this machine; --expose-control turns "
                f"{PREFIX} on for callers that send a token"
            )
        if self.token is not None:
            return (
                f"  dashboard: {url}{PREFIX}?token={self.token} (open it once in a browser); the control endpoints "
                f"answer any caller sending: Authorization: Bearer {self.token}"
            )
        return f"  dashboard: {url}{PREFIX} (this machine only)"


LOOPBACK_ONLY = ControlAccess()


def is_loopback(host: str) -> bool:
    """Whether `host` (an address or a name, IPv6 with or without brackets) is this machine's loopback."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def check_caller(environ: Environ, access: ControlAccess) -> None:
    """Refused (403; 404 while off) unless `access` lets this caller in: by default a tool on this machine, or the
    runner's own pages, addressing the runner by a loopback name; with a token, whoever sends it."""
    if not access.enabled:
        raise Refused(
            404,
            "the control endpoints are off, since the runner listens beyond this machine; restart it with "
            "--expose-control to serve them to callers that send the token it prints",
        )
    host = (environ.get("HTTP_HOST") or "").lower()
    if access.token is not None:
        if not any(hmac.compare_digest(sent.encode(), access.token.encode()) for sent in _sent_tokens(environ)):
            raise Refused(
                403,
                "the control endpoints need the token the runner printed at start: send Authorization: Bearer "
                f"<token>, or open {PREFIX}?token=<token> once in a browser",
            )
    else:
        peer = environ.get("REMOTE_ADDR")
        if peer and not is_loopback(peer):  # a server always names the peer; an in-process call (the kit's) has none
            raise Refused(
                403,
                f"the control endpoints answer callers on this machine only, not {peer[:60]!r}; run the "
                "runner with --expose-control to serve them to others with a token",
            )
        port = environ.get("SERVER_PORT") or "80"
        own = {f"{name}:{port}" for name in _LOOPBACK_NAMES}
        if port == "80":
            own.update(_LOOPBACK_NAMES)
        if host not in own:
            raise Refused(
                403,
                f"the control endpoints answer only at 127.0.0.1, localhost or [::1] on port {port}, "
                f"not at Host {host[:100]!r}",
            )
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None and origin.lower() != f"http://{host}":
        raise Refused(403, f"a page from {origin[:100]!r} may not drive the runner; use curl or a script")
    if (environ.get("HTTP_SEC_FETCH_SITE") or "").lower() in _FOREIGN_SITES:
        raise Refused(403, "a page from another site may not drive the runner; use curl or a script")


def _sent_tokens(environ: Environ) -> list[str]:
    """The tokens a caller sends: in `Authorization: Bearer`, and in the dashboard's cookie."""
    sent = []
    authorization = environ.get("HTTP_AUTHORIZATION") or ""
    if authorization.startswith("Bearer "):
        sent.append(authorization[len("Bearer ") :])
    if COOKIE in (environ.get("HTTP_COOKIE") or ""):
        from http.cookies import CookieError, SimpleCookie

        try:
            cookie = SimpleCookie(environ["HTTP_COOKIE"]).get(COOKIE)
        except CookieError:
            cookie = None
        if cookie is not None:
            sent.append(cookie.value)
    return sent


def signed_in(environ: Environ, access: ControlAccess) -> list[tuple[str, str]] | None:
    """For `GET /__portable/?token=<token>`, the link the banner prints under --expose-control: the headers of a 303
    to the dashboard that keep the token in a cookie, which the browser sends with the runner's own pages' calls only
    (HttpOnly, SameSite=Strict, Path=/__portable/), and the address bar no longer shows. None for any other request;
    Refused as any call is when the token is wrong or a page of another site follows the link."""
    from urllib.parse import parse_qs

    if access.token is None or environ.get("PATH_INFO") != PREFIX or environ.get("REQUEST_METHOD") != "GET":
        return None
    token = parse_qs(environ.get("QUERY_STRING") or "").get("token")
    if not token:
        return None
    check_caller({**environ, "HTTP_AUTHORIZATION": f"Bearer {token[0]}", "HTTP_COOKIE": ""}, access)
    return [
        ("Location", PREFIX),
        ("Set-Cookie", f"{COOKIE}={access.token}; HttpOnly; SameSite=Strict; Path={PREFIX}"),
        ("Cache-Control", "no-store"),
        ("Referrer-Policy", "no-referrer"),
    ]
