"""What every HTTP route of the App shares: who may call from a browser, and who signs the callers in.

Browsers on the listed origins may call the API; a stack lists its own with `portable:corsAllowOrigins`.
`users` is the issuer of the tokens that `auth=users` routes require; a stack names its own issuer and
audiences with `portable:jwtAuth` (see the README). Locally, `POST /__portable/token?subject=alice`
mints a token in this issuer's name.
"""

from portable import cors, jwt_auth

cors(allow_origins=["http://localhost:3000"], allow_headers=["authorization", "content-type"], max_age=600)

users = jwt_auth(issuer="https://auth.example.com/", audiences=["portable-api"], name="users")
