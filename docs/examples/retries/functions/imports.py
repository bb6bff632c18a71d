from portable import Conflict, ObjectEvent, RetryPolicy, bucket, log, table

imports = bucket("imports")
imported = table("imported")


# The default policy: RetryPolicy(attempts=3, max_age_seconds=3600).
@imports.on_created(prefix="csv/", suffix=".csv", writes=[imported])
def import_rows(event: ObjectEvent) -> None:
    rows = imports.get(event.key).decode().splitlines()
    try:
        # The effect, keyed by the event's id: a redelivered event finds it written and stops.
        imported.put(event.id, {"key": event.key, "rows": len(rows)}, if_absent=True)
    except Conflict:
        log.info("imported already", key=event.key)


@imports.on_created(prefix="logs/", retries=RetryPolicy(attempts=1, max_age_seconds=600))  # no retry; 10 minutes
def scan_log(event: ObjectEvent) -> None:
    if b"\0" in imports.get(event.key):
        raise ValueError(f"{event.key} is not text")  # dead-lettered after this one attempt
