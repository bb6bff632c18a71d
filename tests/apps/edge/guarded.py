"""One route that requires a token and one that does not; both answer with the request.auth they saw."""

from typing import Any

from portable import Request, cors, http, jwt_auth

cors(
    allow_origins=["https://app.example.com", "https://admin.example.com"],
    allow_methods=["GET", "POST"],
    allow_headers=["authorization", "content-type", "x-trace"],
    expose_headers=["x-request-id"],
    max_age=300,
    allow_credentials=True,
)

members = jwt_auth(issuer="https://issuer.example.com/", audiences=["conformance-api", "other-api"], name="members")


def caller(request: Request) -> dict[str, Any] | None:
    return request.auth._asdict() if request.auth is not None else None


@http("GET /whoami", auth=members)
def whoami(request: Request) -> dict[str, Any]:
    return {"auth": caller(request)}


@http("POST /open")
def open_route(request: Request) -> dict[str, Any]:
    return {"auth": caller(request)}
