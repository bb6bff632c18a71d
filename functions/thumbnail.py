"""The event-driven pattern: every image put in `uploads` gets a thumbnail in `thumbnails`.

The thumbnail keeps the key and the image format, and is at most 200 px on its longer
side. A file that is not an image, an upload deleted before delivery and a key no bucket
handle can read are logged and skipped: retrying would not help, and a retried event
that can never succeed only ends in the dead letters.
"""

from portable import InvalidKey, NotFound, ObjectEvent, bucket, log

uploads = bucket("uploads")
thumbnails = bucket("thumbnails")

MAX_SIDE = 200
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff")


# One trigger for every suffix: a trigger takes one suffix, and Eventarc filters none, so the
# handler picks the images itself.
@uploads.on_created(writes=[thumbnails], requires=["Pillow>=10"], memory_mb=512)
def make_thumbnail(event: ObjectEvent) -> None:
    if not event.key.lower().endswith(IMAGE_SUFFIXES):
        log.info("not an image name, skipped", key=event.key)
        return
    try:
        original = uploads.get(event.key)
    except NotFound:
        log.info("upload deleted before its thumbnail was made, nothing to do", key=event.key)
        return
    except InvalidKey as exc:
        log.warning("upload key cannot be read back, skipped", key=event.key, error=str(exc))
        return
    thumbnail = shrink(original)
    if thumbnail is None:
        log.warning("not a readable image, skipped", bucket=event.bucket, key=event.key)
        return
    data, content_type = thumbnail
    thumbnails.put(event.key, data, content_type=content_type)
    log.info("thumbnail written", key=event.key, bytes=len(data))


def shrink(original: bytes) -> tuple[bytes, str] | None:
    """The image scaled to fit MAX_SIDE x MAX_SIDE, in its own format; None if it is not an image."""
    import io

    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(original)) as image:
            image_format = image.format or "PNG"
            image.load()
            small = ImageOps.exif_transpose(image) or image
            small.thumbnail((MAX_SIDE, MAX_SIDE))
            if image_format == "JPEG" and small.mode not in ("RGB", "L"):
                small = small.convert("RGB")
            output = io.BytesIO()
            small.save(output, format=image_format)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return None
    return output.getvalue(), Image.MIME.get(image_format, "application/octet-stream")
