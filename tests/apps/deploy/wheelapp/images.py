"""A handler that needs Pillow's compiled extension at import time, and one that needs nothing."""

import io

from PIL import Image

from portable import Request, http


@http("POST /shrink", requires=["Pillow>=10"])
def shrink(request: Request) -> dict[str, object]:
    image = Image.new("RGB", (64, 32), "red")
    image.thumbnail((16, 16))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return {"size": list(image.size), "png_bytes": len(out.getvalue())}
