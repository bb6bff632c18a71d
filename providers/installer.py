"""Where uv is: the installer that resolves locks, installs Lambda's wheels and makes virtualenvs.

The `uv` package (a dependency of the deploy extra and of every app's requirements-dev.txt) carries its binary;
a uv on PATH does as well. Never imported by a deployed function.
"""

from __future__ import annotations

import shutil

UV_REQUIREMENT = "uv>=0.9"


def uv_binary() -> str | None:
    """The uv binary: the `uv` package's, else one on PATH; None when there is neither."""
    try:
        from uv import find_uv_bin
    except ImportError:
        return shutil.which("uv")
    try:
        found: str = find_uv_bin()
    except FileNotFoundError:
        return shutil.which("uv")
    return found
