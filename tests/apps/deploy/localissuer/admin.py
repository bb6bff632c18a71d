"""A route whose issuer is a development server on this machine: it serves locally, no stack deploys it as is."""

from portable import Request, http, jwt_auth

local_users = jwt_auth(issuer="http://localhost:9000/", audiences=["admin-api"], name="local_users")


@http("GET /admin", auth=local_users)
def admin(request: Request) -> str:
    return "admin"
