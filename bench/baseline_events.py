"""Hand-written Lambda handlers for S3 notifications, EventBridge Scheduler firings, SQS batches and DynamoDB stream
batches: the event baselines.

They do what `uploaded`, `tick`, `noted` and `changed` do through the shim: pick the records of the right
kind under the prefix, read the firing's time, read each message's id, body and attributes, read each
change's key and item images, and call the work (which does nothing in any), answering as the shim does.
"""

from datetime import datetime


def s3_handler(event, context):
    delivered = 0
    for record in event.get("Records") or []:
        if record.get("eventSource") != "aws:s3" or not record.get("eventName", "").startswith("ObjectCreated:"):
            continue
        key = record["s3"]["object"]["key"]
        if key.startswith("in/"):
            delivered += 1
    return {"status": 200, "delivered": delivered}


def schedule_handler(event, context):
    due = datetime.fromisoformat(event["time"])
    del due
    return {"status": 200, "delivered": 1}


def message_handler(event, context):
    for record in event.get("Records") or []:
        message = (record["messageId"], record["body"].encode(), record.get("messageAttributes") or {})
        del message
    return {"batchItemFailures": []}


def _value(attribute):
    ((kind, value),) = attribute.items()
    if kind == "N":
        return float(value) if "." in value else int(value)
    if kind == "M":
        return {name: _value(item) for name, item in value.items()}
    if kind == "L":
        return [_value(item) for item in value]
    return None if kind == "NULL" else value


def change_handler(event, context):
    for record in event.get("Records") or []:
        change = record["dynamodb"]
        key = change["Keys"]["_key"]["S"]
        if not key.startswith("in/"):
            continue
        images = [{n: _value(v) for n, v in change.get(i, {}).items()} for i in ("OldImage", "NewImage")]
        del images
    return {"batchItemFailures": []}
