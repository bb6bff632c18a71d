"""greet with its body and reply declared as Pydantic models, for the bench and the cold-start import checks."""

from pydantic import BaseModel

from portable import Request, http


class GreetIn(BaseModel):
    name: str = "World"


class Greeting(BaseModel):
    message: str


@http("POST /hello-pydantic", requires=["pydantic>=2.7,<3"])
def greet_pydantic(request: Request, body: GreetIn | None = None) -> Greeting:
    return Greeting(message=f"Hello, {(body.name if body else '') or 'World'}!")
