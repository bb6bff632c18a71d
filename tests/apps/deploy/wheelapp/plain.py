"""A handler with no third-party requirement."""

from portable import Request, http


@http("GET /plain")
def plain(request: Request) -> str:
    return "plain"
