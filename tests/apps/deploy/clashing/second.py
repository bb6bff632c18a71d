from portable import Request, http


@http("GET /items/{key}")
def second(request: Request) -> str:
    return "second"
