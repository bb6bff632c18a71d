import io

from portable import ObjectEvent, bucket

photos = bucket("photos")
thumbnails = bucket("thumbnails")


@photos.on_created(suffix=".png", writes=[thumbnails], requires=["Pillow>=10"], memory_mb=512)
def make_thumbnail(event: ObjectEvent) -> None:
    from PIL import Image  # imported here, so that the other functions' cold starts never load it

    with Image.open(io.BytesIO(photos.get(event.key))) as image:
        image.thumbnail((64, 64))
        small = io.BytesIO()
        image.save(small, format="PNG")
    thumbnails.put(event.key, small.getvalue(), content_type="image/png")
