"""greet on Chalice, which takes API Gateway REST (payload 1.0) events only."""

from chalice import BadRequestError, Chalice

app = Chalice(app_name="greet")


@app.route("/hello", methods=["POST"])
def greet() -> dict[str, str]:
    body = app.current_request.json_body or {}
    if not isinstance(body, dict):
        raise BadRequestError("send a JSON object")
    return {"message": f"Hello, {body.get('name') or 'World'}!"}


handler = app
