"""The reloader's files (providers/local/reloader.py): the app's Python files only, edits heard and reads not, and
polling when file events fail. The reloader in its processes is in tests/e2e/test_local_reload.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from providers.local.reloader import Reloader, Watched


def test_the_reloader_watches_the_apps_files_only(tmp_path: Path) -> None:
    for folder in ("functions/deep", "lib", "tests", ".venv/lib", "docs", "scripts"):
        (tmp_path / folder).mkdir(parents=True)
    watched = Watched(tmp_path, "functions")
    assert tmp_path / "functions" / "hello.py" in watched
    assert tmp_path / "functions" / "deep" / "more.py" in watched, "a module added to the package"
    assert tmp_path / "main.py" in watched
    assert tmp_path / "lib" / "helpers.py" not in watched, "until the serving process imports it"
    assert tmp_path / "docs" / "conf.py" not in watched
    assert tmp_path / "scripts" / "seed.py" not in watched
    assert tmp_path / "__main__.py" not in watched, "the Pulumi program is no part of the running app"
    assert tmp_path / "tests" / "test_hello.py" not in watched
    assert tmp_path / ".venv" / "lib" / "x.py" not in watched
    assert tmp_path / "functions" / "__pycache__" / "hello.cpython-311.pyc" not in watched
    assert tmp_path / "functions" / "notes.md" not in watched
    assert tmp_path.parent / "elsewhere.py" not in watched
    assert watched.folders() == [(tmp_path, False), (tmp_path / "functions", True)]

    helpers, outside = tmp_path / "lib" / "helpers.py", tmp_path.parent / "site" / "pkg.py"
    assert watched.report([str(helpers), str(outside)]) == [tmp_path / "lib"], "outside the project: never"
    assert helpers in watched and outside not in watched
    assert tmp_path / "lib" / "other.py" not in watched, "the folder is heard, only the file imported counts"


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


def test_the_reloader_hears_the_files_the_server_imported_and_no_others(tmp_path: Path) -> None:
    import queue

    hello, reloader = an_app_watched(tmp_path)
    (tmp_path / "lib").mkdir()
    (tmp_path / "scripts").mkdir()
    helpers = tmp_path / "lib" / "helpers.py"
    helpers.write_text("x = 1\n")
    observer = reloader._watch()
    try:
        helpers.write_text("x = 2\n")
        (tmp_path / "scripts" / "seed.py").write_text("x = 1\n")
        (tmp_path / "__main__.py").write_text("x = 1\n")
        with pytest.raises(queue.Empty):
            reloader.changes.get(timeout=0.5)
        reloader._files_reported([str(helpers), str(hello)])  # what a serving process says it imported
        helpers.write_text("x = 3\n")
        assert reloader.changes.get(timeout=10) == helpers
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
