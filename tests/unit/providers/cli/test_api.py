"""`portable openapi` and `portable client` (providers/cli/api.py): the reference app's document as JSON or YAML, to
stdout or a file, and what `portable client` says when its generator is missing. The generated client calling a
running app is in tests/e2e/test_typed_api.py; the stack's document in tests/integration/deploy/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from portable.errors import ConfigurationError
from providers.cli import api
from providers.cli.main import main


def test_openapi_prints_the_document_as_json_or_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["openapi"]) == 0
    as_json = json.loads(capsys.readouterr().out)
    validate(as_json)
    assert as_json["info"]["title"] == "portable"
    assert set(as_json["paths"]) == {"/hello", "/me", "/webhooks"}
    assert main(["openapi", "--yaml"]) == 0
    assert yaml.safe_load(capsys.readouterr().out) == as_json
    assert main(["openapi", "--json", "-o", str(tmp_path / "openapi.json")]) == 0
    assert capsys.readouterr().out == ""
    assert json.loads((tmp_path / "openapi.json").read_text()) == as_json


def test_json_and_yaml_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["openapi", "--json", "--yaml"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_client_without_its_generator_says_which_extra_installs_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(api, "CLIENT_GENERATOR", "surely-not-a-generator")
    with pytest.raises(ConfigurationError, match=r"pip install 'portable-serverless\[client\]'"):
        api.generate_client({"info": {"title": "x"}}, tmp_path / "out")
