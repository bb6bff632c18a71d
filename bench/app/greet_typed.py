"""greet with its body and reply declared as dataclasses: validated with the standard library, for the bench's
typed-against-untyped figures and the cold-start import checks."""

from dataclasses import dataclass

from portable import Request, http


@dataclass
class GreetIn:
    name: str = "World"


@dataclass
class Greeting:
    message: str


@http("POST /hello-typed")
def greet_typed(request: Request, body: GreetIn | None = None) -> Greeting:
    return Greeting(message=f"Hello, {(body.name if body else '') or 'World'}!")
