"""One function reads the secret; the other does not, and so may not."""

from portable import Request, http, secret, setting

stripe = secret("stripe_key")


@http("POST /charge", reads=[stripe], env={"CURRENCY": "EUR"}, memory_mb=512)
def charge(request: Request) -> dict[str, str]:
    return {"currency": setting("CURRENCY"), "key_length": str(len(stripe.value()))}


@http("GET /hello", env={"GREETING": "Hi"})
def greet(request: Request) -> dict[str, str]:
    return {"message": setting("GREETING")}
