CALLER = "4bf92f3577b34da6a3ce929d0e0e4736"


def test_a_call_continues_the_caller_s_trace(portable_app):
    traceparent = f"00-{CALLER}-00f067aa0ba902b7-01"
    reply = portable_app.http("POST", "/signups", json={"user": "ada"}, headers={"traceparent": traceparent})
    assert reply.json() == {"trace": CALLER}


def test_without_one_a_call_starts_a_trace(portable_app):
    first = portable_app.http("POST", "/signups", json={"user": "ada"}).json()["trace"]
    second = portable_app.http("POST", "/signups", json={"user": "bo"}).json()["trace"]
    assert len(first) == 32 and first != second
