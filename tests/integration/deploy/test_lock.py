"""requirements.lock: exact versions resolved once, carried by both clouds' archives, keying the Lambda wheel cache."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from portable import load_app
from portable.app import App, FunctionSpec
from portable.errors import AppDefinitionError, ConfigurationError
from providers.aws.deploy.package import WheelTarget, bundled_requirements, install_requirements, wheel_set_key
from providers.deploy.lock import LOCK_FILE, Lock, read_lock
from providers.deploy.packaging import PROJECT_ROOT
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


def test_the_lock_satisfies_every_range_it_was_made_from() -> None:
    """An edited requirements*.txt without `./dev lock` fails here, naming the command."""
    for file in ("requirements.txt", "requirements-dev.txt"):
        for line in (PROJECT_ROOT / file).read_text().splitlines():
            text = line.partition("#")[0].strip()
            if text and not text.startswith("-r"):
                LOCK.requirement(text, file)


def test_the_lock_records_what_needs_what() -> None:
    lock = Lock.parse(
        "a==1.0    # via -r requirements-dev.txt\nb==2.0    # via a\n"
        "c==3.0    # via b, -r requirements.txt\nd==4.0    # via -r requirements.txt\n",
        "test.lock",
    )
    assert [str(pin) for pin in lock.closure([Requirement("A[fast]>=1")])] == ["a[fast]==1.0", "b==2.0", "c==3.0"]
    assert [str(pin) for pin in lock.closure([Requirement("c")])] == ["c==3.0"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "left-pad>=1",
            "here: 'left-pad>=1' is not in requirements.lock; add left-pad to requirements-dev.txt and run "
            "`./dev lock` to pin it",
        ),
        (
            "Pillow<5",
            "here: 'Pillow<5' does not allow pillow==.+, the version in requirements.lock; change the "
            r"requirement, or the range in requirements-dev.txt and run `./dev lock --upgrade-package pillow`",
        ),
        ("Pillow >>= 10", "here: requires='Pillow >>= 10' is not a valid requirement"),
        ("Pillow; python_version < '3.12'", "takes no environment marker or URL"),
    ],
)
def test_a_requirement_the_lock_cannot_satisfy_is_refused_with_the_fix(text: str, message: str) -> None:
    with pytest.raises(AppDefinitionError, match=message.replace("[", r"\[")):
        LOCK.requirement(text, "here")


def test_a_lock_that_is_not_pins_or_is_missing_names_the_command(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"odd\.lock:2: 'b>=2' is not a `name==version` pin; .*`./dev lock`"):
        Lock.parse("a==1\nb>=2\n", "odd.lock")
    with pytest.raises(ConfigurationError, match=r"missing\.lock is missing: .* make it with `./dev lock`"):
        read_lock(tmp_path / "missing.lock")


def test_lambda_installs_the_locked_closure_and_leaves_boto3_to_the_runtime(shrink: FunctionSpec) -> None:
    assert [str(pin) for pin in bundled_requirements(shrink, LOCK)] == [locked("pillow")]
    unpinned = bundled_requirements(shrink._replace(requires=("boto3>=1.30",)), LOCK)
    assert unpinned == []
    pinned = bundled_requirements(shrink._replace(requires=(locked("boto3"),)), LOCK)
    assert {"boto3", "botocore", "jmespath", "s3transfer"} <= {pin.name for pin in pinned}
    assert all(str(pin) == locked(pin.name) for pin in pinned)


def test_a_change_of_the_lock_changes_the_lambda_wheel_cache_key(shrink: FunctionSpec) -> None:
    text = LOCK_FILE.read_text()
    key = wheel_set_key(bundled_requirements(shrink, LOCK), LAMBDA_312)
    pytest_moved = Lock.parse(text.replace(locked("pytest"), "pytest==1.0"), "moved.lock")
    assert wheel_set_key(bundled_requirements(shrink, pytest_moved), LAMBDA_312) == key
    pillow_moved = Lock.parse(text.replace(locked("pillow"), "pillow==10.0.0"), "moved.lock")
    assert wheel_set_key(bundled_requirements(shrink, pillow_moved), LAMBDA_312) != key
    boto3 = shrink._replace(requires=(locked("boto3"),))
    jmespath_moved = Lock.parse(text.replace(locked("jmespath"), "jmespath==0.1"), "moved.lock")
    assert wheel_set_key(bundled_requirements(boto3, jmespath_moved), LAMBDA_312) != wheel_set_key(
        bundled_requirements(boto3, LOCK), LAMBDA_312
    )
    pins = bundled_requirements(shrink, LOCK)
    assert (
        len(
            {
                wheel_set_key(pins, target)
                for target in (
                    LAMBDA_312,
                    WheelTarget.for_lambda("3.13", "x86_64"),
                    WheelTarget.for_lambda("3.12", "arm64"),
                )
            }
        )
        == 3
    )


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
