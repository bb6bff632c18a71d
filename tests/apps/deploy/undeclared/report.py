from portable import Request, http


@http("GET /report", reads=["reports"])
def report(request: Request) -> str:
    return "never deployed"
