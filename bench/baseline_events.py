"""Hand-written Lambda handlers for S3 notifications, EventBridge Scheduler firings and SQS batches: the event
baselines.

They do what `uploaded`, `tick` and `noted` do through the shim: pick the records of the right kind under the
prefix, read the firing's time, read each message's id, body and attributes, and call the work (which does
nothing in any), answering as the shim does.
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
