"""A hand-written Lambda handler for API Gateway 2.0 doing what `greet` does: the baseline."""

import base64
import json


def handler(event, context):
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    try:
        data = json.loads(body) if body.strip() else {}
    except json.JSONDecodeError:
        return {
            "statusCode": 400,
            "headers": {"content-type": "application/json"},
            "body": json.dumps({"error": "invalid JSON"}),
        }
    if not isinstance(data, dict):
        return {
            "statusCode": 400,
            "headers": {"content-type": "application/json"},
            "body": json.dumps({"error": "send a JSON object"}),
        }
    message = {"message": f"Hello, {data.get('name') or 'World'}!"}
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(message)}
