"""requirements.lock in the built archives: what GCP's requirements.txt pins, and a package the lock lacks for Lambda.
The lock's own rules are in tests/unit/providers/deploy/test_lock.py."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from portable import load_app
from portable.app import App, FunctionSpec
from portable.errors import AppDefinitionError
from providers.aws.deploy.package import WheelTarget, install_requirements
from providers.deploy.lock import Lock, read_lock
from providers.gcp.deploy.package import build_archive as build_gcp_archive
from tests.support.mocks import APPS

LOCK = read_lock()
LAMBDA_312 = WheelTarget.for_lambda("3.12", "x86_64")


@pytest.fixture(scope="module")
def sample() -> App:
    return load_app("sampleapp", str(APPS))


@pytest.fixture(scope="module")
def shrink() -> FunctionSpec:
    """A function with `requires=["Pillow>=10"]`."""
    return load_app("wheelapp", str(APPS)).functions["shrink"]


def locked(name: str) -> str:
    return str(LOCK.pins[canonicalize_name(name)])


@pytest.mark.parametrize(
    ("function", "present", "absent"),
    [
        ("hello", {"functions-framework", "cloudevents", "flask"}, {"google-cloud-storage", "google-cloud-firestore"}),
        (
            "make_thumbnail",
            {"functions-framework", "google-cloud-storage", "google-api-core"},
            {"google-cloud-firestore"},
        ),
        ("nightly_report", {"google-cloud-storage", "google-cloud-firestore", "grpcio"}, {"pillow"}),
    ],
)
def test_gcp_requirements_are_the_locked_closure_pinned_exactly(
    sample: App, tmp_path: Path, function: str, present: set[str], absent: set[str]
) -> None:
    archive = build_gcp_archive(sample.functions[function], sample.resources, "3.12", tmp_path)
    with zipfile.ZipFile(archive) as opened:
        lines = opened.read("requirements.txt").decode().splitlines()
    assert lines and all(line == locked(Requirement(line).name) for line in lines)
    names = {canonicalize_name(Requirement(line).name) for line in lines}
    assert present <= names and not absent & names


def test_gcp_requirements_pin_what_the_function_requires(shrink: FunctionSpec, tmp_path: Path) -> None:
    archive = build_gcp_archive(shrink, {}, "3.12", tmp_path)
    with zipfile.ZipFile(archive) as opened:
        assert locked("pillow") in opened.read("requirements.txt").decode().splitlines()


@pytest.mark.slow
def test_a_package_the_lock_lacks_for_lambda_is_refused_after_install(tmp_path: Path) -> None:
    """A lock resolved for another Python or platform may lack what Lambda's needs; that stops the deploy."""
    lock = Lock.parse(f"{locked('requests')}    # via -r requirements-dev.txt\n", "partial.lock")
    pins = lock.closure([Requirement("requests")])
    with pytest.raises(
        AppDefinitionError,
        match=r"also need .*certifi==.*, which the lock does not hold; add .*"
        r"certifi.* to requirements-dev.txt and run `./dev lock`",
    ):
        install_requirements(pins, LAMBDA_312, tmp_path)
    assert not list((tmp_path / "lambda-wheels").iterdir())
