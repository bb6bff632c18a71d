"""`receipt_key` is read by no function (its reads= was forgotten): nothing asks the stack for its value."""

from portable import Request, http, secret

receipt_key = secret("receipt_key")


@http("POST /pay")
def pay(request: Request) -> str:
    return "paid"
