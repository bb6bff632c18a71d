"""The API backend pattern: POST /hello with {"name": "Alice"} answers a greeting."""

from portable import HttpError, Request, http


@http("POST /hello")
def hello(request: Request) -> dict[str, str]:
    body = request.json() if request.body.strip() else {}
    if not isinstance(body, dict):
        raise HttpError(400, 'send a JSON object, for example {"name": "Alice"}')
    name = body.get("name") or "World"
    if not isinstance(name, str):
        raise HttpError(400, '"name" must be a string')
    return {"message": f"Hello, {name}!"}
