"""HTTP routes: a greeting, a path parameter with table reads, a greedy route over a bucket."""

from portable import Request, bucket, http, table

greetings = table("greetings")
uploads = bucket("uploads")


@http("POST /hello")
def hello(request: Request) -> dict[str, str]:
    body = request.json() if request.body.strip() else {}
    return {"message": f"Hello, {body.get('name') or 'World'}!", "path": request.path}


@http("GET /greetings/{id}", reads=[greetings])
def show_greeting(request: Request) -> dict[str, str]:
    return {"id": request.path_params["id"]}


@http("ANY /files/{path+}", reads=[uploads])
def files(request: Request) -> dict[str, str]:
    return {"path": request.path_params["path"], "method": request.method}
