from portable import Request, http


@http("GET /items/{id}")
def first(request: Request) -> str:
    return "first"
