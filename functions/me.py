"""An authenticated route: GET /me answers who the caller is, from the token the gateway verified."""

from dataclasses import dataclass

from functions.web import users
from portable import Request, http


@dataclass
class Caller:
    subject: str
    scopes: list[str]


@http("GET /me", auth=users)
def me(request: Request) -> Caller:
    """Who the token says the caller is."""
    assert request.auth is not None  # the gateway let only verified callers through
    return Caller(subject=request.auth.subject, scopes=list(request.auth.scopes))
