"""The bench compares like with like: each hand-written side does the work its Portable side does, and the
archives it measures answer as shipped. Nothing here is timed (`python -m bench` does that)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import shipped
from bench.measure import COLD, FIRING, HTTP_V2, UPLOAD, Side, portable_side


def _answer(reply: Any) -> Any:
    return json.loads(reply["body"]) if isinstance(reply, dict) and "body" in reply else reply


@pytest.mark.parametrize(
    ("portable", "hand_written"),
    [
        (portable_side("greet", "bench.app.greet", HTTP_V2), Side("bench.baseline_lambda", HTTP_V2)),
        (
            portable_side("uploaded", "bench.app.uploaded", UPLOAD, buckets=("uploads",)),
            Side("bench.baseline_events", UPLOAD, attribute="s3_handler"),
        ),
        (
            portable_side("tick", "bench.app.tick", FIRING),
            Side("bench.baseline_events", FIRING, attribute="schedule_handler"),
        ),
    ],
)
def test_each_hand_written_side_answers_as_its_portable_side(
    portable: Side,
    hand_written: Side,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in portable.env.items():
        monkeypatch.setenv(name, value)
    ours = _answer(portable.loaded()(portable.event, None))
    theirs = _answer(hand_written.loaded()(hand_written.event, None))
    assert ours == theirs
    assert ours in ({"message": "Hello, Alice!"}, {"status": 200, "delivered": 1})


def test_the_archives_the_bench_starts_answer_as_shipped(tmp_path: Path) -> None:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    folders = shipped(version, tmp_path)
    assert not list(Path(folders["http-source"]).rglob("*.pyc"))
    assert list(Path(folders["http"]).rglob(f"runtime.cpython-{version.replace('.', '')}.pyc"))
    for kind, side in (
        ("http", portable_side("greet", "bench.app.greet", HTTP_V2, folders["http"])),
        ("object", portable_side("uploaded", "bench.app.uploaded", UPLOAD, folders["object"])),
        ("schedule", portable_side("tick", "bench.app.tick", FIRING, folders["schedule"])),
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
