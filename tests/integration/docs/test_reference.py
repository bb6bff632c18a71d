"""The documentation's API reference covers every public name of portable, each with its docstring: what the hook of
docs/hooks.py checks in a strict build. Here, not with the other documentation tests in tests/unit/docs/, because
griffe reads the names' sources with git, a process."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs"


def test_every_public_name_has_a_docstring_and_a_reference_entry() -> None:
    hooks = importlib.import_module("docs.hooks")
    directive = re.compile(r"^:::\s+([\w.]+)", re.MULTILINE)
    documented = {name for page in (DOCS / "reference").glob("*.md") for name in directive.findall(page.read_text())}
    assert hooks.undocumented_names(documented) == []
    [missing] = hooks.undocumented_names(documented - {"portable.Bucket"})
    assert missing.startswith("portable.Bucket is public (portable.__all__) but not in the API reference")
