"""The `portable` command (providers/cli/main.py): help everywhere, preview's refusals, and what `dev` checks and
hands to the runner. The command as a process is in tests/e2e/test_portable_command.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from providers.cli.main import main, parser
from providers.cli.scaffold import scaffold


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
        ["openapi"],
        ["client"],
    ],
)
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        parser().parse_args([*command, "--help"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: portable {' '.join(command)}".rstrip())


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


def test_preview_makes_the_programs_refusals(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "preview", "--stack", "gcp")
    assert code == 1 and out == ""
    assert err == (
        "error: stack 'gcp' has no gcp:project (the Google Cloud project to deploy to); run "
        "`pulumi config set gcp:project my-project-id --stack gcp` (for `portable preview`: "
        "`-c gcp:project=my-project-id`)\n"
    )
    code, _, err = run(capsys, "preview", "--stack", "gcp", "-c", "gcp:project=my-project-id")
    assert code == 1 and "has no gcp:project" not in err, "the form named is one preview takes"
    assert "(for `portable preview`: `-c secrets:webhook_key=...`)" in err
    code, _, err = run(capsys, "preview", "--stack", "azure")
    assert code == 1 and err.endswith("Pulumi.azure.yaml; the stacks here are: aws, gcp\n")
    assert run(capsys, "preview", "--stack", "gcp", "-c", "gcp:project")[0] == 2


def test_preview_outside_an_app_says_where_to_run_it(tmp_path: Path) -> None:
    from portable.errors import ConfigurationError
    from providers.deploy.preview import preview_project

    with pytest.raises(ConfigurationError, match=r"Pulumi.yaml; run this in your app's folder"):
        preview_project(tmp_path, "aws", {})


def test_dev_hands_its_options_to_the_runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ran: list[list[str]] = []
    monkeypatch.setattr(os, "chdir", lambda path: None)
    monkeypatch.setattr(os, "execve", lambda program, command, environment: ran.append(command))
    main(
        [
            "dev",
            "--port",
            "9000",
            "--debug",
            "--no-reload",
            "--no-schedules",
            "--host",
            "0.0.0.0",
            "--expose-control",
            "--fast-retries",
        ]
    )
    main(["dev"])
    assert ran[0][1:] == [
        "-m",
        "providers.local",
        "--host",
        "0.0.0.0",
        "--port",
        "9000",
        "--no-schedules",
        "--debug",
        "--no-reload",
        "--expose-control",
        "--fast-retries",
    ]
    assert ran[1][1:] == ["-m", "providers.local", "--host", "127.0.0.1", "--port", "8080"]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["invoke", "hello", "--cloud", "aws", "--subjct", "ada"], "unrecognized arguments: --subjct ada; did you mean "
         "'--subject'?"),
        (["dev", "--fast-retry"], "unrecognized arguments: --fast-retry; did you mean '--fast-retries'?"),
        (["devv"], "invalid choice: 'devv' (choose from 'new', 'dev', "),
        (["devv"], "'dead-letters'); did you mean 'dev'?"),
        (["dead-letters", "lst"], "invalid choice: 'lst' (choose from 'list', 'show', 'replay', 'discard'); did you "
         "mean 'list'?"),
    ],
)  # fmt: skip
def test_a_mistyped_option_or_command_gets_the_nearest_one(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2 and said in capsys.readouterr().err
