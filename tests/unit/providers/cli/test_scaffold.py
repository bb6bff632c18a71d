"""`portable new` (providers/cli/scaffold.py): an app pinned to this framework, and the folders it refuses."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from providers.cli.main import main
from providers.cli.scaffold import framework_requirement
from tests.conftest import ROOT


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_new_writes_an_app_pinned_to_this_framework(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "new", str(tmp_path / "notes app"))
    app = tmp_path / "notes app"
    assert code == 0 and "./dev test" in out and "./dev serve" in out
    files = sorted(path.relative_to(app).as_posix() for path in app.rglob("*") if path.is_file())
    assert files == [
        ".gitignore",
        "Pulumi.aws.yaml",
        "Pulumi.gcp.yaml",
        "Pulumi.yaml",
        "README.md",
        "__main__.py",
        "dev",
        "functions/__init__.py",
        "functions/hello.py",
        "main.py",
        "requirements-dev.txt",
        "requirements.lock",
        "requirements.txt",
        "tests/test_hello.py",
    ]
    # The archives of a new app pin what this framework is tested with; `./dev lock` keeps the copy current.
    assert (app / "requirements.lock").read_text() == (ROOT / "requirements.lock").read_text()
    assert (app / "Pulumi.yaml").read_text().startswith("name: notes-app\n")
    assert (app / "dev").stat().st_mode & stat.S_IXUSR
    assert f"\n{framework_requirement('deploy')}\n" in (app / "requirements.txt").read_text()
    assert f"\n{framework_requirement()}\npytest>=8\nuv>=0.9\n" in (app / "requirements-dev.txt").read_text()
    assert framework_requirement() == f"portable-serverless @ {ROOT.as_uri()}", "run from this checkout: pinned to it"
    assert (app / "main.py").read_text() == (ROOT / "main.py").read_text()
    assert (app / "__main__.py").read_text() == (ROOT / "__main__.py").read_text()
    assert "{{" not in "".join(path.read_text() for path in app.rglob("*") if path.is_file())


def test_new_refuses_a_folder_that_holds_something(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    code, _, err = run(capsys, "new", str(tmp_path / "taken"))
    assert code == 1 and "already exists and is not empty" in err
    assert [path.name for path in (tmp_path / "taken").iterdir()] == ["notes.txt"]
    (tmp_path / "empty").mkdir()
    assert run(capsys, "new", str(tmp_path / "empty"))[0] == 0


@pytest.mark.parametrize("name", ["portable", "providers"])
def test_new_refuses_a_folder_named_after_a_framework_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    code, _, err = run(capsys, "new", str(tmp_path / name))
    assert code == 1 and f"an app folder named {name!r} would be imported in place of the framework's" in err
    assert f"portable new my-{name}-app" in err and not (tmp_path / name).exists()
