"""A hand-written functions-framework HTTP function doing what `greet` does: the baseline."""

import flask


def greet(request: flask.Request):
    data = request.get_json(silent=True)
    if data is None and request.get_data().strip():
        return flask.jsonify(error="invalid JSON"), 400
    data = data or {}
    if not isinstance(data, dict):
        return flask.jsonify(error="send a JSON object"), 400
    return flask.jsonify(message=f"Hello, {data.get('name') or 'World'}!")
