from portable import ObjectEvent, bucket

photos = bucket("photos")


@photos.on_created(prefix="raw/")
def index_raw(event: ObjectEvent) -> None:
    pass


@photos.on_created(suffix=".png")
def index_png(event: ObjectEvent) -> None:
    pass
