"""The documentation shows the dashboard: its page is in the site's navigation and embeds the screenshots that
tools/dashboard_screenshots.py takes with the browser tests' chromium."""

from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT

DOCS = ROOT / "docs"


def test_the_local_dashboard_page_is_in_the_navigation_and_shows_real_screenshots() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text().replace("!!python", "#"))
    guide = next(entry["Guide"] for entry in config["nav"] if isinstance(entry, dict) and "Guide" in entry)
    assert {"Local dashboard": "dashboard.md"} in guide
    page = (DOCS / "dashboard.md").read_text()
    images = re.findall(r"!\[([^\]]+)\]\((images/[^)]+\.png)\)", page)
    assert [path for _, path in images] == ["images/dashboard.png", "images/dashboard-dead-letters.png"]
    for alt, path in images:
        data = (DOCS / path).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and alt, path
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert (width, height) == (1280, 860), "as tools/dashboard_screenshots.py takes them"
    assert "tools/dashboard_screenshots.py" in (ROOT / "CONTRIBUTING.md").read_text(), "how to take them again"
