"""An authenticated route: GET /me answers who the caller is, from the token the gateway verified."""

from typing import Any

from functions.web import users
from portable import Request, http


@http("GET /me", auth=users)
def me(request: Request) -> dict[str, Any]:
    assert request.auth is not None  # the gateway let only verified callers through
    return {"subject": request.auth.subject, "scopes": list(request.auth.scopes)}
