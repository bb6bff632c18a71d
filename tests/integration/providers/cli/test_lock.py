"""`portable lock` resolving an app's lock with uv (or pip-compile): what the app's functions require is pinned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from providers.cli.main import main
from providers.cli.scaffold import framework_requirement, scaffold
from tests.conftest import ROOT


def framework_stand_in(folder: Path) -> Path:
    """A distribution named portable-serverless with this framework's dependencies and extras and no code: uv builds
    its metadata in `folder`, not in this checkout (which other tests build at the same time)."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = "".join(f"{name} = {json.dumps(needs)}\n" for name, needs in project["optional-dependencies"].items())
    folder.mkdir()
    (folder / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "portable-serverless"\nversion = "{project["version"]}"\n'
        f"dependencies = {json.dumps(project['dependencies'])}\n\n"
        f"[project.optional-dependencies]\n{extras}\n[tool.setuptools]\npackages = []\n"
    )
    return folder


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_lock_pins_what_an_apps_functions_require(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new app lists a package its functions require in requirements-dev.txt; `portable lock` pins it for the
    archives, with what the GCP archives need, and the deploy's check of requires= accepts it."""
    from providers.deploy.lock import read_lock

    app = tmp_path / "app"
    scaffold(app)
    listed = app / "requirements-dev.txt"
    stand_in = framework_stand_in(tmp_path / "framework")
    listed.write_text(
        listed.read_text().replace(framework_requirement(), f"portable-serverless @ {stand_in.as_uri()}")
        + "httpx>=0.27\n"
    )
    monkeypatch.setattr("providers.cli.main._project_root", lambda: app)
    assert main(["lock"]) == 0, capsys.readouterr()
    text = (app / "requirements.lock").read_text()
    assert "#    portable lock\n" in text and "\nportable-serverless" not in text
    lock = read_lock(app / "requirements.lock")
    assert {"httpx", "functions-framework", "cloudevents", "google-cloud-storage", "google-cloud-firestore"} <= set(
        lock.pins
    )
    pinned = {pin.name for pin in lock.closure([lock.requirement("httpx>=0.27", "functions/fetch.py (fetch)")])}
    assert {"httpx", "httpcore", "anyio"} <= pinned
