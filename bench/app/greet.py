"""hello's HTTP logic without its table write, so both sides of the benchmark do the same work."""

from portable import HttpError, Request, http


@http("POST /hello")
def greet(request: Request) -> dict[str, str]:
    body = request.json() if request.body.strip() else {}
    if not isinstance(body, dict):
        raise HttpError(400, 'send a JSON object, for example {"name": "Alice"}')
    return {"message": f"Hello, {body.get('name') or 'World'}!"}
