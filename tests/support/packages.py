"""Packages written on the fly: an App's modules as source text, importable for the rest of the test session."""

from __future__ import annotations

import itertools
import sys
import textwrap
from pathlib import Path

_counter = itertools.count()


def make_package(tmp_path: Path, **modules: str) -> str:
    """A fresh package under tmp_path with the given modules; returns its import name."""
    name = f"userpkg{next(_counter)}"
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    for module, source in modules.items():
        (package / f"{module}.py").write_text(textwrap.dedent(source))
    if str(tmp_path) not in sys.path:
        sys.path.insert(0, str(tmp_path))
    return name
