def test_me(portable_app):
    token = portable_app.token("alice", ["notes:read"])
    reply = portable_app.http("GET", "/me", headers={"Authorization": f"Bearer {token}"})
    assert reply.json() == {"subject": "alice", "scopes": ["notes:read"]}


def test_an_expired_token_is_refused(portable_app):
    token = portable_app.token("alice", claims={"exp": 0})  # a token the gateways refuse
    reply = portable_app.http("GET", "/me", headers={"Authorization": f"Bearer {token}"})
    assert reply.status == 401
