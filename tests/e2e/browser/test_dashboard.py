"""The local dashboard (`/__portable/`) in a real browser: Debian's chromium, driven by Playwright, on the reference
app served by `python -m providers.local` (what `portable dev` runs) as a process of its own.

Through the page only, a user signs in and calls an auth route, uploads an image and sees its thumbnail's invocation
in the live log and the thumbnail in its bucket, fires a schedule, and replays a dead letter with an edited body; and
while the app cannot load, the page shows the error and follows the fix.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from providers.cli.scaffold import scaffold
from tests.conftest import ROOT
from tests.support.runner_process import running_runner

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The reference app (functions/) served with fast retries, on data of its own."""
    with running_runner(ROOT, tmp_path_factory.mktemp("dashboard-state"), "functions", "--fast-retries") as url:
        yield url


def opened(page: Page, url: str, tab: str | None = None) -> Page:
    page.goto(f"{url}/__portable/")
    expect(page.locator("#status")).to_have_text("running")
    if tab is not None:
        page.get_by_role("tab", name=tab).click()
    return page


def log_line(page: Page, text: str) -> None:
    expect(page.locator("#log-lines li").filter(has_text=text).first).to_be_visible()


def test_a_signed_in_user_calls_an_auth_route(page: Page, runner: str) -> None:
    opened(page, runner)
    page.get_by_role("row", name="GET /me me users").get_by_role("button", name="Use").click()
    expect(page.get_by_label("Path", exact=True)).to_have_value("/me")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#response-status")).to_have_text("401")

    page.get_by_label("Subject", exact=True).fill("ada")
    page.get_by_label("Scopes", exact=True).fill("photos:read photos:write")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#response-status")).to_have_text("200")
    expect(page.locator("#response-body")).to_contain_text('"subject": "ada"')
    expect(page.locator("#response-body")).to_contain_text('"photos:write"')
    log_line(page, "me http GET /me -> 200")
    page.get_by_role("link", name="API explorer").click()
    expect(page).to_have_url(f"{runner}/__portable/api/")


def an_image() -> bytes:
    from PIL import Image

    data = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 40)).save(data, format="PNG")
    return data.getvalue()


def test_an_uploaded_image_gets_its_thumbnail(page: Page, runner: str) -> None:
    opened(page, runner, "Buckets")
    page.get_by_label("Bucket", exact=True).select_option("uploads")
    expect(page.locator("#bucket-triggers")).to_contain_text("make_thumbnail on created")
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "cat.png", "mimeType": "image/png", "buffer": an_image()}]
    )
    expect(page.get_by_label("Key", exact=True)).to_have_value("cat.png")
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#upload-result")).to_contain_text("Stored uploads/cat.png")

    log_line(page, "make_thumbnail object created uploads/cat.png -> ok")
    page.get_by_label("Function", exact=True).select_option("make_thumbnail")
    expect(page.locator("#log-lines li:visible")).not_to_have_count(0)
    expect(page.locator("#log-lines li:visible").filter(has_text="me http")).to_have_count(0)

    page.get_by_label("Bucket", exact=True).select_option("thumbnails")
    row = page.get_by_role("row").filter(has_text="cat.png")
    expect(row).to_be_visible()
    row.get_by_role("button", name="Preview").click()
    expect(page.locator("#object-preview")).to_be_visible()
    width = page.locator("#object-preview").evaluate("image => image.naturalWidth")
    assert width == 200, "the thumbnail, at most 200 px on its longer side"


def test_a_schedule_shows_its_next_firings_and_fires_now(page: Page, runner: str) -> None:
    opened(page, runner, "Schedules")
    card = page.get_by_role("article", name="schedule nightly_report")
    expect(card).to_contain_text("cron '0 2 * * *' in UTC")
    expect(card.locator("time")).to_have_count(5)
    assert all(text.endswith("T02:00:00+00:00") for text in card.locator("time").all_inner_texts())
    card.get_by_role("button", name="Fire now").click()
    expect(card.locator(".result")).to_have_text("delivered (HTTP 204)")
    log_line(page, "nightly_report schedule due ")


def test_a_dead_letter_is_edited_replayed_and_succeeds(page: Page, runner: str) -> None:
    opened(page, runner, "Queues and topics")
    card = page.get_by_role("article", name="queue welcomes")
    card.get_by_label("Body", exact=True).fill('{"nam": "Ada"}')
    card.get_by_role("button", name="Send").click()
    expect(card.locator(".result")).to_contain_text("Sent: message ")
    log_line(page, "write_welcome message ")  # its first attempt fails, then 1 s, 2, 4 and 8 s apart
    expect(page.locator("#dead-letter-count")).to_have_text("1", timeout=60_000)

    page.get_by_role("tab", name="Dead letters").click()
    letter = page.locator("article.letter")
    expect(letter).to_contain_text("5 attempts")
    expect(letter.locator(".error-text")).to_have_text("KeyError: 'name'")
    letter.get_by_text("Traceback", exact=True).click()
    expect(letter.locator("pre")).to_contain_text('functions/greeted.py", line')
    body = letter.get_by_label("Body (edit it, then replay)", exact=True)
    expect(body).to_have_value('{\n  "nam": "Ada"\n}')
    body.fill('{"name": "Ada"}')
    letter.get_by_role("button", name="Replay").click()
    expect(page.locator("#dead-letters-result")).to_contain_text(" with the edited body: event ")
    log_line(page, "write_welcome message ")
    # The function's own lines: the replay's control line names the function too.
    expect(page.locator('#log-lines li.ok[data-function="write_welcome"]')).to_have_count(1)
    expect(page.locator("#dead-letter-count")).to_have_text("0")

    page.get_by_role("tab", name="Tables").click()
    page.get_by_label("Table", exact=True).select_option("welcome-notes")
    page.get_by_role("button", name="Ada").click()
    expect(page.locator("#item-value")).to_contain_text('"text": "Welcome, Ada!"')
    expect(page.locator("#item-version")).not_to_be_empty()


BROKEN = "from portable import http\n\n\n@http('GET /hello')\ndef hello(request:\n"
FIXED = "from portable import http\n\n\n@http('GET /hello')\ndef hello(request):\n    return {'fixed': True}\n"


def test_while_the_app_cannot_load_the_page_shows_why_and_follows_the_fix(page: Page, tmp_path: Path) -> None:
    scaffold(tmp_path / "app")
    hello = tmp_path / "app" / "functions" / "hello.py"
    hello.write_text(BROKEN)
    with running_runner(tmp_path / "app", tmp_path / "state", reload=True) as url:
        page.goto(f"{url}/__portable/")
        expect(page.get_by_role("heading", name="The app failed to load")).to_be_visible()
        expect(page.locator("#load-error-summary")).to_have_text(
            "functions/hello.py, line 5: SyntaxError: '(' was never closed"
        )
        expect(page.locator("#load-error-traceback")).to_contain_text("SyntaxError")
        hello.write_text(FIXED)
        expect(page.locator("#status")).to_have_text("running")  # the reloader loaded the fix, the page followed
        expect(page.get_by_role("row", name="GET /hello hello")).to_be_visible()


def test_an_exposed_runner_shows_its_dashboard_to_the_browser_that_opened_the_printed_link(
    page: Page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--expose-control: the dashboard needs the token; the banner's link hands it to the browser once, in a cookie
    that the page's own calls and its live log's stream carry."""
    import requests

    token = "printed-at-start-0123456789abcdef"
    monkeypatch.setenv("PORTABLE_CONTROL_TOKEN", token)  # the token a reloader hands its server
    scaffold(tmp_path / "app")
    options = ("--host", "0.0.0.0", "--expose-control")
    with running_runner(tmp_path / "app", tmp_path / "state", "functions", *options) as url:
        refused = page.goto(f"{url}/__portable/")
        assert refused is not None and refused.status == 403
        page.goto(f"{url}/__portable/?token={token}")
        expect(page).to_have_url(f"{url}/__portable/")
        expect(page.locator("#status")).to_have_text("running")
        requests.post(f"{url}/hello", json={"name": "Ada"}, timeout=30).raise_for_status()
        log_line(page, "hello http POST /hello -> 200")
