"""greet on Powertools for AWS Lambda's HTTP API resolver."""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.exceptions import BadRequestError

app = APIGatewayHttpResolver()


@app.post("/hello")
def greet() -> dict[str, str]:
    body = app.current_event.json_body if app.current_event.body else {}
    if not isinstance(body, dict):
        raise BadRequestError("send a JSON object")
    return {"message": f"Hello, {body.get('name') or 'World'}!"}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
