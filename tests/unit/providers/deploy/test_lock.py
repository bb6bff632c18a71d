"""requirements.lock (providers/deploy/lock.py): exact versions resolved once, what needs what, the refusals that
name the fix, and the key of the Lambda wheel cache. The archives it pins are in
tests/integration/deploy/test_lock.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from portable import load_app
from portable.app import FunctionSpec
from portable.errors import AppDefinitionError, ConfigurationError
from providers.aws.deploy.package import WheelTarget, bundled_requirements, wheel_set_key
from providers.deploy.lock import LOCK_FILE, Lock, read_lock
from providers.deploy.packaging import PROJECT_ROOT
from tests.support.mocks import APPS

LOCK = read_lock()
LAMBDA_312 = WheelTarget.for_lambda("3.12", "x86_64")


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
            r"here: 'left-pad>=1' is not in requirements.lock; add 'left-pad>=1' to requirements-dev.txt and run "
            r"`./dev lock`, which pins it in requirements.lock \(the next `./dev serve` or `./dev test` installs it\)",
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
