"""The reloader's files (providers/local/reloader.py): the app's Python files only, edits heard and reads not, and
polling when file events fail. The reloader in its processes is in tests/e2e/test_local_reload.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from providers.local.reloader import Reloader, watched, watched_folders


def test_the_reloader_watches_the_apps_python_files_only(tmp_path: Path) -> None:
    for folder in ("functions", "lib/deep", "tests", ".venv/lib", "venv", "node_modules", "docs"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    assert watched(tmp_path / "functions" / "hello.py", tmp_path)
    assert watched(tmp_path / "main.py", tmp_path)
    assert watched(tmp_path / "lib" / "deep" / "helpers.py", tmp_path)
    assert not watched(tmp_path / "tests" / "test_hello.py", tmp_path)
    assert not watched(tmp_path / ".venv" / "lib" / "x.py", tmp_path)
    assert not watched(tmp_path / "functions" / "__pycache__" / "hello.cpython-311.pyc", tmp_path)
    assert not watched(tmp_path / "functions" / "notes.md", tmp_path)
    assert not watched(tmp_path.parent / "elsewhere.py", tmp_path)
    assert list(watched_folders(tmp_path)) == [
        (tmp_path, False),
        (tmp_path / "docs", True),
        (tmp_path / "functions", True),
        (tmp_path / "lib", True),
    ]


def an_app_watched(root: Path) -> tuple[Path, Reloader]:
    """`root/functions/hello.py`, and a reloader on `root` (not serving: its watcher is started by `_watch()`)."""
    (root / "functions").mkdir()
    hello = root / "functions" / "hello.py"
    hello.write_text("x = 1\n")
    return hello, Reloader("127.0.0.1", 0, [], root=root)


def test_the_reloader_hears_edits_and_not_reads(tmp_path: Path) -> None:
    import queue

    hello, reloader = an_app_watched(tmp_path)
    observer = reloader._watch()
    try:
        hello.read_text()
        (tmp_path / "functions" / "notes.txt").write_text("not code")
        with pytest.raises(queue.Empty):
            reloader.changes.get(timeout=0.5)
        hello.write_text("x = 2\n")
        assert reloader.changes.get(timeout=10) == hello
    finally:
        observer.stop()


def test_the_reloader_polls_when_file_events_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import watchdog.observers

    class NoEvents(watchdog.observers.Observer):  # type: ignore[misc, valid-type]
        def schedule(self, *args: object, **kwargs: object) -> None:
            raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(watchdog.observers, "Observer", NoEvents)
    hello, reloader = an_app_watched(tmp_path)
    observer = reloader._watch()
    try:
        assert (
            "watching files by polling them, since the system's file events failed: [Errno 28] inotify watch "
            "limit reached" in capsys.readouterr().err
        )
        hello.write_text("x = 22\n")
        assert reloader.changes.get(timeout=10) == hello
    finally:
        observer.stop()
