"""What `portable preview` prints of a run under the mocks: every resource, its settings, archives by path."""

from __future__ import annotations

import json

import pytest

from providers.deploy.preview import as_json, as_text
from tests.conftest import ROOT
from tests.support.mocks import run_program

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_text_and_json_list_every_resource() -> None:
    preview, _ = run_program("aws", {"aws:region": "eu-central-1"})
    text = as_text(preview, ROOT, width=80)
    for resource in preview.resources:
        assert f"\n{resource.type}  {resource.name}\n" in f"{text}\n"
    assert "`pulumi up` would create" in text and f"{len(preview.resources)} resources" in text
    assert "    routeKey: POST /hello\n" in text
    assert "    memorySize: 256\n" in text, "Pulumi's floats shown as the whole numbers they are"
    assert "    code: .portable/build/aws/hello-" in text and " bytes)\n" in text
    assert "    retainOnDelete: true\n" in text, "data kept on destroy"
    assert "    dependsOn: " in text
    assert max(len(line) for line in text.splitlines() if line.startswith("    ")) == 80
    document = json.loads(as_json(preview))
    assert [(r["type"], r["name"]) for r in document["resources"]] == [(r.type, r.name) for r in preview.resources]
    lambdas = [r for r in document["resources"] if r["type"] == "aws:lambda/function:Function"]
    assert all(r["inputs"]["code"].endswith(".zip") for r in lambdas)
    assert document["outputs"]["functions"]["hello"] == "hello-0000001"
    resources = document["resources"]
    assert any(r["retainOnDelete"] for r in resources) and any(r["dependsOn"] for r in resources)


def test_a_resource_no_function_uses_is_a_warning_of_the_run() -> None:
    from providers.deploy.preview import run_program as run_preview
    from tests.support.mocks import APPS

    preview = run_preview("aws", {"aws:region": "eu-central-1"}, package="spare", search_path=str(APPS))
    [warning] = preview.warnings
    assert warning.startswith("secret 'receipt_key' is declared at ") and "spare/pay.py:5 but no function uses it" in (
        warning
    )
    assert not any(r.type == "aws:secretsmanager/secret:Secret" for r in preview.resources)
