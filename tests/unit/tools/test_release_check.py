"""The release check's verdict on a new app's first `./dev test` (tools/release_check.py): only pytest's dots and its
summary are clean. The check itself runs in `./dev check`."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tools.release_check import DASHBOARD_FILES, unclean_lines

CLEAN = "...                                                                      [100%]\n3 passed in 2.31s\n"
# What the first `./dev test` of a new app printed before the template's folders were namespace packages.
SETUPTOOLS_WARNING = """\
/tmp/build-env/lib/python3.11/site-packages/setuptools/command/build_py.py:212: _Warning: Package \
'providers.cli.template' is absent from the `packages` configuration.
!!

        ********************************************************************************
        ############################
        # Package would be ignored #
        ############################
"""


def test_pytests_dots_and_summary_are_clean() -> None:
    assert unclean_lines(CLEAN) == []
    assert unclean_lines("..s.x [ 50%]\n.... [100%]\n7 passed, 1 skipped, 1 xfailed in 10.02s (0:00:10)\n") == []


@pytest.mark.parametrize(
    "noise",
    [
        SETUPTOOLS_WARNING,
        "warning: function 'work' requires 'httpx', which is not installed here\n",
        "=============================== warnings summary ===============================\n",
        "Resolved 42 packages in 1.2s\n",
    ],
)
def test_anything_else_is_reported(noise: str) -> None:
    found = unclean_lines(noise + CLEAN)
    assert found and found[0] == noise.splitlines()[0]


def test_the_dashboards_files_are_the_ones_the_page_is_made_of() -> None:
    folder = ROOT / "providers" / "local" / "dashboard"
    assert sorted(DASHBOARD_FILES) == sorted(
        path.name for path in folder.iterdir() if path.is_file() and path.suffix != ".py"
    )
