"""The archives the bench starts (bench/__main__.py) answer as shipped, in a fresh interpreter that sees only the
archive. Nothing here is timed (`python -m bench` does that)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.__main__ import shipped
from bench.measure import CHANGE, COLD, FIRING, HTTP_V2, NOTE, TYPED_V2, UPLOAD, portable_side


def test_the_archives_the_bench_starts_answer_as_shipped(tmp_path: Path) -> None:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    folders = shipped(version, tmp_path)
    assert not list(Path(folders["http-source"]).rglob("*.pyc"))
    assert list(Path(folders["http"]).rglob(f"runtime.cpython-{version.replace('.', '')}.pyc"))
    for kind, side in (
        ("http", portable_side("greet", "bench.app.greet", HTTP_V2, folders["http"])),
        ("http-typed", portable_side("greet_typed", "bench.app.greet_typed", TYPED_V2, folders["http-typed"])),
        ("object", portable_side("uploaded", "bench.app.uploaded", UPLOAD, folders["object"])),
        ("schedule", portable_side("tick", "bench.app.tick", FIRING, folders["schedule"])),
        ("message", portable_side("noted", "bench.app.noted", NOTE, folders["message"])),
        ("change", portable_side("changed", "bench.app.changed", CHANGE, folders["change"])),
    ):
        script = COLD.format(module=side.module, attribute=side.attribute) + "import portable\nprint(portable.__file__)"
        done = subprocess.run(
            [sys.executable, "-S", "-B", "-c", script, side.path, json.dumps(side.event)],
            env={"PATH": "/usr/bin:/bin", **side.env},
            cwd=side.path,
            capture_output=True,
            text=True,
            check=True,
        )
        assert done.stdout.strip() == str(Path(side.path) / "portable" / "__init__.py"), kind
