"""Settings every test shares: no cloud is reachable, local data lives in a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

# Loopback S3, DynamoDB, Cloud Storage and Firestore servers; the test kit's fixtures (portable_app), which an
# installed `portable` registers through its pytest11 entry point.
pytest_plugins = ["tests.backends.fixtures", "providers.testing.plugin"]

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"

_DUMMY_CLOUD_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "GOOGLE_CLOUD_PROJECT": "portable-test",
    "NO_GCE_CHECK": "true",
}


@pytest.fixture(scope="session", autouse=True)
def isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> None:
    for key, value in _DUMMY_CLOUD_ENV.items():
        os.environ.setdefault(key, value)
    os.environ["PORTABLE_LOCAL_DIR"] = str(tmp_path_factory.mktemp("portable-local"))


@pytest.fixture
def record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the test apps (tests.apps.delivery, tests.apps.messages) record each attempt, in a state directory of
    this test's own."""
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))
    target = tmp_path / "attempts.jsonl"
    monkeypatch.setenv("PORTABLE_TEST_RECORD", str(target))
    return target


def aws_handler(event: Any, context: Any = None) -> Any:
    """Call the Lambda entry of the function the test names in PORTABLE_FUNCTION (its module in PORTABLE_MODULE, else
    found in the App of `functions`), bound explicitly for this call to PORTABLE_PROVIDER's data (default `aws`), as
    a deployed archive's entry module binds its function at import."""
    from providers.aws.runtime import bind

    function = os.environ["PORTABLE_FUNCTION"]
    module = os.environ.get("PORTABLE_MODULE")
    if not module:
        from portable.loading import load_app

        module = load_app(os.environ.get("PORTABLE_PACKAGE") or "functions").function(function).module
    return bind(function, module, os.environ.get("PORTABLE_PROVIDER") or "aws")(event, context)
