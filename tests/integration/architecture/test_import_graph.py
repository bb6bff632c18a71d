"""Every module of portable/ and providers/ imports, each in a fresh interpreter. The import graph itself (no
cycles; portable/ reaching providers/ only from its developer entry points) is in
tests/unit/architecture/test_import_graph.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("portable", "providers")

IMPORT_ALL = """
import importlib, json, sys, traceback
failures = {}
for name in json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
    except Exception:
        failures[name] = traceback.format_exc(limit=-3)
print(json.dumps(failures))
"""


def project_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def test_every_module_imports() -> None:
    names = sorted(project_modules())
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, json.dumps(names)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    failures = json.loads(done.stdout)
    assert failures == {}, "\n".join(f"{name}:\n{trace}" for name, trace in failures.items())
