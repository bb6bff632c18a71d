"""Needs left-pad, which nobody locked."""

from portable import Request, http


@http("GET /pad", requires=["left-pad>=1"])
def pad(request: Request) -> str:
    return "padded"
