import time

from portable import ObjectEvent, bucket, metric

photos = bucket("photos")
uploads = metric("photos_uploaded", unit="Count", dimensions=["tier"])
scan_time = metric("scan_time", unit="Milliseconds")


@photos.on_created(prefix="users/")
def count_upload(event: ObjectEvent) -> None:
    started = time.perf_counter()
    tier = "pro" if event.key.startswith("users/pro/") else "free"
    uploads.record(1, tier=tier)
    scan_time.record((time.perf_counter() - started) * 1000)
