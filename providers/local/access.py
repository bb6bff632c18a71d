"""Who may call the local runner's control endpoints (/__portable/), and the check of each call.

By default only a caller on this machine: a loopback peer address, addressing the runner by a loopback name on its
own port, and not a web page of another origin or site (Origin, Sec-Fetch-Site), so that neither another machine nor
a page elsewhere in the user's browser nor a DNS name rebound to 127.0.0.1 can drive the runner. A runner listening
beyond this machine turns them off, unless `--expose-control` opens them to whoever sends the token it printed.
Standard library only: the reloader, which never imports the App, makes the token.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import NamedTuple

from providers.local.wsgi import Environ, Refused

PREFIX = "/__portable/"
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
            return f"  dashboard: {url}{PREFIX} answers any caller sending: Authorization: Bearer {self.token}"
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
        sent = environ.get("HTTP_AUTHORIZATION") or ""
        if not hmac.compare_digest(sent.encode(), f"Bearer {access.token}".encode()):
            raise Refused(
                403, "the control endpoints need the token the runner printed at start: Authorization: Bearer <token>"
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
