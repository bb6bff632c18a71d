"""CORS, and a route of any method that requires auth: browsers' preflights would meet the authorizer on AWS."""

from portable import Request, cors, http, jwt_auth

cors(allow_origins=["https://app.example.com"])
users = jwt_auth(issuer="https://auth.example.com/", audiences=["api"])


@http("ANY /files/{path+}", auth=users)
def files(request: Request) -> str:
    return request.path
