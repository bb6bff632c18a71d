"""An object function, for the cold-start benchmarks and import checks: it notes the key of each upload."""

from portable import ObjectEvent, bucket

uploads = bucket("uploads")


@uploads.on_created(prefix="in/")
def uploaded(event: ObjectEvent) -> None:
    del event
