"""A real browser for the tests: Debian's chromium, driven by Playwright (never `playwright install`).

`launched()` starts chromium headless with the flags these machines need (`--no-sandbox` as root); the
`browser` and `page` fixtures (imported by tests/e2e/browser/conftest.py) give every browser test the same
one. `.ci/run` installs chromium with apt when it is missing (`./dev setup`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM_PATHS = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# How long a page may take to show what a test waits for: a reload, a retried event.
PATIENCE_MS = 30_000


def chromium() -> str:
    """The chromium to drive: $PORTABLE_CHROMIUM, else Debian's; a clear failure when there is none."""
    given = os.environ.get("PORTABLE_CHROMIUM")
    for candidate in ([given] if given else []) + [*CHROMIUM_PATHS, shutil.which("chromium") or ""]:
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail(
        "the browser tests need chromium: `apt-get install -y chromium` (./dev setup does it as root), or point "
        "PORTABLE_CHROMIUM at a Chromium binary",
        pytrace=False,
    )


@contextmanager
def launched() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    flags = [*FLAGS, *(["--no-sandbox"] if os.geteuid() == 0 else [])]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=flags)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched() as started:
        yield started


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page (its own cookies and storage), failing the test on any error the page's scripts raise."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(PATIENCE_MS)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield opened
    finally:
        context.close()
    assert errors == [], f"the page's scripts raised: {errors}"
