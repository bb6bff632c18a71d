"""Every browser test drives the same chromium (tests/support/browser.py)."""

from tests.support.browser import browser, page

__all__ = ["browser", "page"]
