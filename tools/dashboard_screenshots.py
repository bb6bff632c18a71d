"""The documentation's pictures of the local dashboard, taken with the browser tests' chromium
(tests/support/browser.py).

    .venv/bin/python tools/dashboard_screenshots.py

Serves the reference app (functions/) on data of its own with `python -m providers.local --fast-retries`, uses it
as a person would through the page (a signed-in call, an upload and its thumbnail, a message that ends in the dead
letters), and writes docs/images/dashboard.png and docs/images/dashboard-dead-letters.png.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.browser import chromium  # noqa: E402
from tests.support.runner_process import running_runner  # noqa: E402

IMAGES = ROOT / "docs" / "images"
SIZE = {"width": 1280, "height": 860}


def picture() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 600), (70, 110, 160))
    ImageDraw.Draw(image).ellipse((250, 150, 550, 450), fill=(240, 190, 60))
    data = io.BytesIO()
    image.save(data, format="JPEG")
    return data.getvalue()


def main() -> int:
    from playwright.sync_api import expect

    IMAGES.mkdir(parents=True, exist_ok=True)
    os.environ["PORTABLE_SECRET_VALUE_WEBHOOK_KEY"] = "whsec_local"  # no warning about it in the pictures
    with (
        tempfile.TemporaryDirectory(prefix="portable-screenshots-") as state,
        running_runner(ROOT, Path(state), "functions", "--fast-retries") as url,
        chromium() as browser,
    ):
        page = browser.new_page(viewport=SIZE, color_scheme="light")
        page.set_default_timeout(60_000)
        page.goto(f"{url}/__portable/")
        expect(page.locator("#status")).to_have_text("running")

        page.get_by_role("tab", name="Buckets").click()
        page.get_by_label("Bucket", exact=True).select_option("uploads")
        page.get_by_label("File", exact=True).set_input_files(
            files=[{"name": "beach.jpg", "mimeType": "image/jpeg", "buffer": picture()}]
        )
        page.get_by_role("button", name="Upload").click()
        expect(page.locator("#log-lines li").filter(has_text="make_thumbnail")).to_have_count(1)

        page.get_by_role("tab", name="Queues and topics").click()
        welcomes = page.get_by_role("article", name="queue welcomes")
        welcomes.get_by_label("Body", exact=True).fill('{"nam": "Ada"}')
        welcomes.get_by_role("button", name="Send").click()

        page.get_by_role("tab", name="Routes").click()
        page.get_by_role("row", name="GET /me me users").get_by_role("button", name="Use").click()
        page.get_by_label("Subject", exact=True).fill("ada")
        page.get_by_label("Scopes", exact=True).fill("photos:read photos:write")
        page.get_by_role("button", name="Send").click()
        expect(page.locator("#response-status")).to_have_text("200")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(IMAGES / "dashboard.png"))

        expect(page.locator("#dead-letter-count")).to_have_text("1", timeout=60_000)
        page.get_by_role("tab", name="Dead letters").click()
        page.locator("article.letter").get_by_text("Traceback", exact=True).click()
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(IMAGES / "dashboard-dead-letters.png"))
    for name in ("dashboard.png", "dashboard-dead-letters.png"):
        print(f"{IMAGES / name}: {(IMAGES / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
