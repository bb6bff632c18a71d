"""A real browser against the local runner (`python -m providers.local`): a page on an allowed origin uploads an
image straight to a bucket through a signed URL and shows the thumbnail a function made of it; HTML stored in a
bucket and opened through its signed URL cannot reach the runner's control endpoints."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple

import pytest
import requests

from providers.cli.scaffold import scaffold
from tests.support.browser import chromium
from tests.support.runner_process import running_runner

pytestmark = [pytest.mark.slow, pytest.mark.browser]

APP = """\
from portable import HttpError, NotFound, ObjectEvent, Request, bucket, cors, http

cors(allow_origins=["{origin}"])
uploads = bucket("uploads")
thumbnails = bucket("thumbnails")


@http("POST /uploads", writes=[uploads])
def start_upload(request: Request) -> dict[str, str]:
    key = request.json()["name"]
    kind = request.json()["type"]
    return {{"url": uploads.signed_url(key, method="PUT", expires_in=300, content_type=kind)}}


@http("GET /thumbnails/{{key}}", reads=[thumbnails])
def thumbnail_url(request: Request) -> dict[str, str]:
    key = request.path_params["key"]
    try:
        thumbnails.head(key)
    except NotFound:
        raise HttpError(404, "no thumbnail yet") from None
    return {{"url": thumbnails.signed_url(key, expires_in=300)}}


@uploads.on_created(writes=[thumbnails], suffix=".png")
def make_thumbnail(event: ObjectEvent) -> None:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(uploads.get(event.key))) as image:
        image.thumbnail((200, 200))
        output = io.BytesIO()
        image.save(output, format="PNG")
    thumbnails.put(event.key, output.getvalue(), content_type="image/png")
"""

PAGE = """\
<!doctype html>
<title>upload</title>
<img id="thumbnail" alt="">
<script>
const runner = "{runner}";
async function upload() {{
  const canvas = document.createElement("canvas");
  canvas.width = 400;
  canvas.height = 300;
  const context = canvas.getContext("2d");
  context.fillStyle = "#c84";
  context.fillRect(0, 0, 400, 300);
  const image = await new Promise(resolve => canvas.toBlob(resolve, "image/png"));
  const started = await fetch(runner + "/uploads", {{
    method: "POST",
    headers: {{"Content-Type": "application/json"}},
    body: JSON.stringify({{name: "cat.png", type: "image/png"}}),
  }});
  const {{url}} = await started.json();
  const put = await fetch(url, {{method: "PUT", headers: {{"Content-Type": "image/png"}}, body: image}});
  if (!put.ok) throw new Error("upload failed: " + put.status + " " + await put.text());
  const etag = put.headers.get("ETag");
  for (let tries = 0; tries < 100; tries++) {{
    const found = await fetch(runner + "/thumbnails/cat.png");
    if (found.ok) {{
      const img = document.getElementById("thumbnail");
      img.src = (await found.json()).url;
      await img.decode();
      return {{width: img.naturalWidth, height: img.naturalHeight, etag}};
    }}
    await new Promise(resolve => setTimeout(resolve, 100));
  }}
  throw new Error("no thumbnail after 10 s");
}}
</script>
"""

STORED_HTML = b"""<!doctype html>
<title>stored</title>
<script>
document.title = "ran";
fetch("/__portable/token?subject=intruder", {method: "POST"});
fetch("/__portable/objects/uploads/planted.txt", {method: "PUT", body: "planted"});
fetch("/__portable/schedules/anything", {method: "POST"});
</script>
"""


class Served(NamedTuple):
    runner: str
    page: str
    state: Path
    app: Path


@pytest.fixture()
def served(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Served]:
    """The runner serving the app on one port, and the page that uses it on another: two origins of one machine.
    Indirectly parametrized with "reload", the runner reloads on every edit of the app."""
    pages = tmp_path / "pages"
    pages.mkdir()
    page_server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(pages)))
    threading.Thread(target=page_server.serve_forever, daemon=True).start()
    page = f"http://127.0.0.1:{page_server.server_address[1]}"
    app = tmp_path / "app"
    scaffold(app)
    (app / "functions" / "photos.py").write_text(APP.format(origin=page))
    try:
        with running_runner(app, tmp_path / "state", reload=getattr(request, "param", None) == "reload") as runner:
            (pages / "index.html").write_text(PAGE.format(runner=runner))
            yield Served(runner, page, tmp_path / "state", app)
    finally:
        page_server.shutdown()


def test_a_page_on_an_allowed_origin_uploads_through_a_signed_url_and_shows_the_thumbnail(served: Served) -> None:
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{served.page}/index.html")
        shown = page.evaluate("upload()")
    assert (shown["width"], shown["height"]) == (200, 150)
    assert shown["etag"], "the page reads the ETag of what it uploaded"
    listed = requests.get(f"{served.runner}/__portable/objects/thumbnails", timeout=30).json()["objects"]
    assert [item["key"] for item in listed] == ["cat.png"]


def test_a_page_on_another_origin_cannot_upload_through_a_signed_url(served: Served) -> None:
    signed = requests.post(
        f"{served.runner}/uploads", json={"name": "other.png", "type": "image/png"}, timeout=30
    ).json()["url"]
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{served.runner}/nowhere")  # the runner's own origin stands in for any other than the page's
        page.set_content("<p>elsewhere</p>")
        outcome = page.evaluate(
            """url => fetch(url, {method: "PUT", headers: {"Content-Type": "image/png"}, body: "x"})
                .then(reply => "answered " + reply.status, error => "refused: " + error.message)""",
            signed.replace("127.0.0.1", "localhost"),
        )
    assert outcome.startswith("refused"), outcome
    assert requests.get(f"{served.runner}/__portable/objects/uploads", timeout=30).json()["objects"] == []


def test_stored_html_opened_through_its_signed_url_cannot_reach_the_control_endpoints(served: Served) -> None:
    from providers.local.clients import open_bucket
    from providers.local.sqlite_files import using_local_dir

    put = requests.post(f"{served.runner}/uploads", json={"name": "page.html", "type": "text/html"}, timeout=30)
    stored = requests.put(put.json()["url"], data=STORED_HTML, headers={"Content-Type": "text/html"}, timeout=30)
    assert stored.status_code == 200
    with using_local_dir(served.state):  # signed with the runner's key, as a function of the app would sign it
        signed = open_bucket("uploads").signed_url("page.html", "GET", 300, None)
    control_calls: list[str] = []
    with chromium() as browser:
        page = browser.new_page()
        page.on("request", lambda request: control_calls.append(request.url) if "/__portable/" in request.url else None)
        for shown in (signed, f"{served.runner}/__portable/objects/uploads/page.html"):
            control_calls.clear()
            response = page.goto(shown)
            assert response is not None and response.status == 200
            page.wait_for_timeout(500)
            assert page.title() == "stored", "the stored page is shown, but its script never runs"
            assert control_calls == [shown], f"the stored page reached {control_calls}"
    listed = requests.get(f"{served.runner}/__portable/objects/uploads", timeout=30).json()["objects"]
    assert [item["key"] for item in listed] == ["page.html"], "nothing was planted"


READ = """url => fetch(url, {method: "POST", headers: {"Content-Type": "application/json"}, body: "{}"})
    .then(async reply => [reply.status, await reply.json()], error => [0, error.message])"""


@pytest.mark.parametrize("served", ["reload"], indirect=True)
def test_a_page_reads_the_runners_own_replies_and_the_load_error_from_another_origin(served: Served) -> None:
    import time

    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{served.page}/index.html")
        status, body = page.evaluate(READ, f"{served.runner}/nowhere")
        assert (status, body["error"]) == (404, "no route for POST /nowhere"), "the runner's own 404, readable"
        (served.app / "functions" / "photos.py").write_text(APP.format(origin=served.page) + "\ndef broken(:\n")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status, body = page.evaluate(READ, f"{served.runner}/nowhere")
            if status == 500:
                break
            time.sleep(0.2)
    assert status == 500 and "load_error" in body, body
    assert body["load_error"]["file"] == "functions/photos.py" and body["load_error"]["type"] == "SyntaxError"
