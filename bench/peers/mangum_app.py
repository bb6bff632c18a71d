"""greet on Starlette, served on Lambda by Mangum."""

from mangum import Mangum
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def greet(request: Request) -> JSONResponse:
    raw = await request.body()
    body = await request.json() if raw.strip() else {}
    if not isinstance(body, dict):
        return JSONResponse({"error": "send a JSON object"}, status_code=400)
    return JSONResponse({"message": f"Hello, {body.get('name') or 'World'}!"})


handler = Mangum(Starlette(routes=[Route("/hello", greet, methods=["POST"])]), lifespan="off")
