from portable import Request, cors, http, jwt_auth

# Who may call the API from a browser: one policy for the whole app, declared once in any module.
cors(
    allow_origins=["https://app.example.com"],  # or ["*"]
    allow_methods=["GET", "PUT", "DELETE"],
    allow_headers=["authorization", "content-type"],
    expose_headers=["x-request-id"],
    max_age=600,
    allow_credentials=False,
)

# Who signs the callers in; jwks_uri= defaults to <issuer>/.well-known/jwks.json.
users = jwt_auth(issuer="https://example.eu.auth0.com/", audiences=["https://api.example.com"], name="users")


@http("GET /me", auth=users)  # only callers with a valid token of `users`
def me(request: Request) -> dict[str, object]:
    assert request.auth is not None  # the gateway let only verified callers in
    return {"subject": request.auth.subject, "scopes": list(request.auth.scopes)}
