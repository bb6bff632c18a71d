"""The `portable` command: help everywhere, new, invoke, preview's refusals, data, and dev serving."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from providers.cli.main import main, parser
from providers.cli.scaffold import framework_requirement, scaffold
from tests.backends.servers import free_port, wait_listening
from tests.conftest import ROOT


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["new"],
        ["dev"],
        ["invoke"],
        ["preview"],
        ["lock"],
        ["data"],
        ["data", "buckets"],
        ["data", "tables"],
        ["data", "ls"],
        ["data", "items"],
    ],
)
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        parser().parse_args([*command, "--help"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: portable {' '.join(command)}".rstrip())


def test_python_m_portable_is_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "portable", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.startswith("portable 0.1.0")


# portable new -----------------------------------------------------------------------------------------------


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


def test_dev_refuses_an_app_with_its_own_providers_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`portable dev` runs `python -m providers.local` in the app's folder, where the app's own package would win."""
    app = tmp_path / "app"
    scaffold(app)
    (app / "providers").mkdir()
    (app / "providers" / "__init__.py").write_text("")
    monkeypatch.setattr("providers.paths.PROJECT_ROOT", app)
    code, _, err = run(capsys, "dev", "--port", "1")
    assert code == 1 and f"{app / 'providers'}: the app has its own top-level 'providers'" in err


@pytest.mark.slow
def test_a_new_app_passes_its_own_tests_on_every_target(tmp_path: Path) -> None:
    """The scaffold's test, with this checkout on the path instead of an installed framework."""
    scaffold(tmp_path / "app")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PORTABLE_LOCAL_DIR")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "providers.testing.plugin", "-p", "no:cacheprovider"],
        cwd=tmp_path / "app",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout
    assert not (tmp_path / "app" / ".portable").exists(), "the test kit keeps its data elsewhere"


# portable lock ----------------------------------------------------------------------------------------------


def test_lock_asks_for_the_frameworks_cloud_extras_and_leaves_it_out_of_the_lock() -> None:
    from providers.cli.lock import lock_input, without_framework

    asked = lock_input(
        "# mine\nportable-serverless @ file:///somewhere/portable\npytest>=8\nhttpx>=0.27  # for notes\n"
    )
    assert asked == (
        "# mine\nportable-serverless[aws,gcp] @ file:///somewhere/portable\npytest>=8\nhttpx>=0.27  # for notes\n"
    )
    assert lock_input("Portable_Serverless[deploy]==0.1.0\n") == "Portable_Serverless[aws,deploy,gcp]==0.1.0\n"
    assert lock_input("portable==2020.1.6\n") == "portable==2020.1.6\n", "another distribution"
    locked = (
        "anyio==4.16.0             # via httpx\nportable-serverless @ file:///somewhere/portable  # via -r -\n"
        "portable-serverless-extras==1.0  # via -r -\n"
    )
    assert without_framework(locked) == (
        "anyio==4.16.0             # via httpx\nportable-serverless-extras==1.0  # via -r -\n"
    )


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


# portable invoke --------------------------------------------------------------------------------------------


def test_invoke_on_aws_prints_the_lambda_reply(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "invoke",
        "hello",
        "--cloud",
        "aws",
        "--body",
        '{"name": "Ada"}',
        "--state",
        str(tmp_path),
        "--show-event",
    )
    event_text, _, reply_text = out.partition("\n\n")
    event, reply = json.loads(event_text), json.loads(reply_text)
    assert code == 0 and event["version"] == "2.0" and event["routeKey"] == "POST /hello"
    assert reply["statusCode"] == 200 and json.loads(reply["body"]) == {"message": "Hello, Ada!"}
    assert (tmp_path / "tables" / "greetings.sqlite3").is_file(), "on the local data of --state"


def test_invoke_on_gcp_prints_the_functions_framework_reply(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "invoke", "hello", "--cloud", "gcp", "--state", str(tmp_path))
    assert code == 0
    assert out.startswith("HTTP 200 OK\n") and out.endswith('\n{"message": "Hello, World!"}\n')


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_invoke_generates_object_and_schedule_events(
    cloud: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys,
        "invoke",
        "make_thumbnail",
        "--cloud",
        cloud,
        "--key",
        "missing.jpg",
        "--state",
        str(tmp_path),
        "--show-event",
    )
    assert code == 0 and "the local bucket 'uploads' holds no 'missing.jpg'" in err
    assert ("ObjectCreated:Put" if cloud == "aws" else "ce-type: google.cloud.storage.object.v1.finalized") in out
    code, out, _ = run(
        capsys,
        "invoke",
        "nightly_report",
        "--cloud",
        cloud,
        "--at",
        "2026-11-28T02:00:00Z",
        "--state",
        str(tmp_path),
        "--show-event",
    )
    assert code == 0
    assert (
        '"time": "2026-11-28T02:00:00Z"' if cloud == "aws" else "X-CloudScheduler-ScheduleTime: 2026-11-28T02:00:00Z"
    ) in out
    assert code == 0 and run(capsys, "data", "ls", "reports", "--state", str(tmp_path))[1].endswith(
        "greetings/2026-11-27.json\n"
    )


MESSAGE_WIRE = {  # per cloud: what the generated event shows, what a success and a failure answer
    "aws": ('"eventSource": "aws:sqs"', '"batchItemFailures": []', '"itemIdentifier"'),
    "gcp": ('"deliveryAttempt": 1', "HTTP 204", "HTTP 500"),
}


@pytest.mark.parametrize("cloud", sorted(MESSAGE_WIRE))
def test_invoke_delivers_a_message_to_a_subscriber(cloud: str, tmp_path: Path, capsys: Any) -> None:
    shown, done, failed = MESSAGE_WIRE[cloud]
    state = ["--state", str(tmp_path)]
    code, out, _ = run(
        capsys, "invoke", "count_greeting", "--cloud", cloud, "--body", '{"name": "Ada"}', *state, "--show-event"
    )
    assert code == 0 and shown in out and done in out
    assert run(capsys, "data", "tables", *state)[1] == "name-counts\t1 items\n"
    code, out, _ = run(capsys, "invoke", "count_greeting", "--cloud", cloud, *state)
    assert code == 1 and failed in out, "a message without a name fails: the cloud would deliver it again"


def test_invoke_takes_a_published_event_from_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fixture = str(ROOT / "tests" / "fixtures" / "gcp" / "storage" / "finalized-structured.json")
    state = ["--state", str(tmp_path)]
    code, out, _ = run(capsys, "invoke", "make_thumbnail", "--cloud", "gcp", "--event", fixture, *state)
    assert code == 0 and out.startswith("HTTP 400 BAD REQUEST\n")
    assert "event from bucket 'some-bucket'; this function is bound to 'uploads'" in out
    monkeypatch.setenv("PORTABLE_BUCKET_UPLOADS", "some-bucket")
    code, out, err = run(capsys, "invoke", "make_thumbnail", "--cloud", "gcp", "--event", fixture, *state)
    assert (code, out) == (0, "HTTP 204 NO CONTENT\n")
    assert "older than its max age" in err, "a 2020 event: acknowledged as dead, as Eventarc would drop it"
    fresh = json.loads(Path(fixture).read_text()) | {"time": datetime.now(UTC).isoformat()}
    (tmp_path / "fresh.json").write_text(json.dumps(fresh))
    code, out, err = run(
        capsys, "invoke", "make_thumbnail", "--cloud", "gcp", "--event", str(tmp_path / "fresh.json"), *state
    )
    assert (code, out) == (0, "HTTP 204 NO CONTENT\n")
    assert '"message": "not an image name, skipped", ' in err and '"key": "folder/Test.cs"' in err


def test_invoke_refuses_what_it_cannot_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "invoke", "nope", "--cloud", "aws")
    assert (
        code == 1
        and (
            "no function named 'nope'; the App defines: count_greeting, hello, make_thumbnail, me, "
            "nightly_report, queue_welcome, receive_webhook, write_welcome"
        )
        in err
    )
    bad = tmp_path / "event.json"
    bad.write_text("[1, 2]")
    code, _, err = run(capsys, "invoke", "hello", "--cloud", "aws", "--event", str(bad))
    assert code == 1 and "holds no JSON object" in err


# portable preview -------------------------------------------------------------------------------------------


def test_preview_makes_the_programs_refusals(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "preview", "--stack", "gcp")
    assert code == 1 and out == ""
    assert err == (
        "error: stack 'gcp' has no gcp:project (the Google Cloud project to deploy to); run "
        "`pulumi config set gcp:project my-project-id --stack gcp`\n"
    )
    code, _, err = run(capsys, "preview", "--stack", "azure")
    assert code == 1 and err.endswith("Pulumi.azure.yaml; the stacks here are: aws, gcp\n")
    assert run(capsys, "preview", "--stack", "gcp", "-c", "gcp:project")[0] == 2


def test_preview_outside_an_app_says_where_to_run_it(tmp_path: Path) -> None:
    from portable.errors import ConfigurationError
    from providers.deploy.preview import preview_project

    with pytest.raises(ConfigurationError, match=r"Pulumi.yaml; run this in your app's folder"):
        preview_project(tmp_path, "aws", {})


# portable data ----------------------------------------------------------------------------------------------


def test_data_lists_buckets_tables_objects_and_items(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from portable.testing import Kit

    with Kit("local", state=tmp_path) as kit:
        kit.http("POST", "/hello", json={"name": "Ada"})
        kit.bucket("reports").put("2026/a.txt", "aaa")
        kit.bucket("reports").put("2027/b.txt", "bb")
    state = ["--state", str(tmp_path)]
    assert run(capsys, "data", "buckets", *state)[1] == "reports\t2 objects\t5 bytes\n"
    tables = "greetings\t1 items\nname-counts\t1 items\nwelcome-notes\t1 items\n"
    assert run(capsys, "data", "tables", *state)[1] == tables
    listed = run(capsys, "data", "ls", "reports", "--prefix", "2027/", *state)[1].split()
    assert (listed[0], listed[-1]) == ("2", "2027/b.txt")
    key, document = run(capsys, "data", "items", "greetings", *state)[1].rstrip("\n").split("\t")
    assert json.loads(document)["name"] == "Ada" and len(key.split("/")) == 3
    code, _, err = run(capsys, "data", "items", "nope", *state)
    assert code == 1 and err == (
        f"error: no local table 'nope' in {tmp_path}; tables there: greetings, name-counts, welcome-notes\n"
    )


# portable dev -----------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_dev_serves_the_app_with_its_state_folder(tmp_path: Path) -> None:
    port = free_port()
    env = {name: value for name, value in os.environ.items() if name != "PORTABLE_LOCAL_DIR"}
    env["PYTHONPATH"] = str(ROOT)  # as if installed; it runs from a folder inside the project
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "portable",
            "dev",
            "--port",
            str(port),
            "--state",
            str(tmp_path),
            "--no-schedules",
            "--debug",
        ],
        cwd=ROOT / "functions",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_listening(process, port, "portable dev")
        reply = requests.post(f"http://127.0.0.1:{port}/hello", json={"name": "Dev"}, timeout=10)
        assert reply.json() == {"message": "Hello, Dev!"}
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert b" hello http POST /hello -> 200 (" in output, "its line on the console"
    assert (tmp_path / "tables" / "greetings.sqlite3").is_file(), "its data in --state"


def test_dev_hands_its_options_to_the_runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ran: list[list[str]] = []
    monkeypatch.setattr(os, "chdir", lambda path: None)
    monkeypatch.setattr(os, "execve", lambda program, command, environment: ran.append(command))
    main(["dev", "--port", "9000", "--debug", "--no-reload", "--no-schedules"])
    main(["dev"])
    assert ran[0][1:] == [
        "-m",
        "providers.local",
        "--host",
        "127.0.0.1",
        "--port",
        "9000",
        "--no-schedules",
        "--debug",
        "--no-reload",
    ]
    assert ran[1][1:] == ["-m", "providers.local", "--host", "127.0.0.1", "--port", "8080"]
