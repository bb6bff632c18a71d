"""A real headless Chromium for the browser tests: Debian's `chromium` (apt-get install -y chromium), driven by
Playwright from PyPI. Playwright's own browsers are never downloaded (`playwright install` is not run): Playwright
launches the system's Chromium by its path.

    with chromium() as browser:
        page = browser.new_page()

Any test tier that drives a browser imports this module; mark such tests `browser` (and `slow`), so that
`-m "not browser"` leaves them out on a machine without chromium.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM_PATHS = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
# Quiet and self-contained: no first-run pages, no background calls to Google, no GPU; no sandbox, which needs
# privileges a root user in a container does not get.
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_path() -> str:
    """Where Debian's chromium is; AssertionError saying how to install it when it is not."""
    for path in CHROMIUM_PATHS:
        if os.access(path, os.X_OK):
            return path
    raise AssertionError(
        f"no chromium at {' or '.join(CHROMIUM_PATHS)}: install it with `apt-get install -y chromium` (.ci/run does), "
        'or leave the browser tests out with -m "not browser"'
    )


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium, closed at the end of the block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_FLAGS))
        try:
            yield browser
        finally:
            browser.close()
