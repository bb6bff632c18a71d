"""Routes that require a token on every method they serve, OPTIONS included; each answers what it saw."""

from typing import Any

from portable import Request, http, jwt_auth

members = jwt_auth(issuer="https://issuer.example.com/", audiences=["conformance-api"], name="members")


def seen(request: Request) -> dict[str, Any]:
    return {"method": request.method, "subject": request.auth.subject if request.auth else None}


@http("ANY /admin", auth=members)
def admin(request: Request) -> dict[str, Any]:
    return seen(request)


@http("OPTIONS /opt", auth=members)
def opt(request: Request) -> dict[str, Any]:
    return seen(request)


@http("GET /public")
def public(request: Request) -> dict[str, Any]:
    return seen(request)
