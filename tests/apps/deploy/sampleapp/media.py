"""Object triggers with prefix and suffix filters; each handler prints the event it got."""

import json

from portable import ObjectEvent, RetryPolicy, bucket

uploads = bucket("uploads")
thumbnails = bucket("thumbnails")


@uploads.on_created(
    prefix="incoming/", suffix=".jpg", writes=[thumbnails], retries=RetryPolicy(attempts=2, max_age_seconds=900)
)
def make_thumbnail(event: ObjectEvent) -> None:
    print(json.dumps({"handled": "make_thumbnail", "bucket": event.bucket, "key": event.key, "kind": event.kind}))


@uploads.on_deleted(prefix="incoming/")
def forget(event: ObjectEvent) -> None:
    print(json.dumps({"handled": "forget", "key": event.key, "kind": event.kind}))
