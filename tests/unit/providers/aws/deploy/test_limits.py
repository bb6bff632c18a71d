"""AWS's limits on a function's environment (4 KB) and its role's inline policy (10,240 characters) are checked in
the plan, under Pulumi's mocks, before any resource exists (providers/aws/deploy/limits.py)."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest

from portable.loading import load_app
from providers.aws.deploy.iam import function_policy
from providers.aws.deploy.limits import Arns, check_function_limits, environment_bytes, policy_chars
from providers.deploy.plan import StackInfo
from providers.deploy.preview import run_program
from tests.support.packages import make_package

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
AWS = {"aws:region": "eu-central-1"}
INFO = StackInfo("portable", "aws", "aws", "3.12", False)


def buckets(count: int, access: str, options: str = "") -> str:
    """A module whose one function uses `count` buckets with 40-character names."""
    lines = ["from portable import bucket, http"]
    lines += [f'b{index} = bucket("b{index:02d}-{"x" * 36}")' for index in range(count)]
    used = ", ".join(f"b{index}" for index in range(count))
    lines += [f'@http("POST /crowded", {options}{access}=[{used}])', "def crowded(request): ..."]
    return "\n".join(lines) + "\n"


def refusal(tmp_path: Path, source: str) -> str:
    package = make_package(tmp_path, crowded=source)
    with pytest.raises(pulumi.RunError) as raised:
        run_program("aws", AWS, package=package, search_path=str(tmp_path))
    return str(raised.value)


def test_a_function_writing_twenty_long_named_buckets_is_refused_for_its_policy(tmp_path: Path) -> None:
    message = refusal(tmp_path, buckets(20, "writes"))
    assert "crowded.py:" in message and "(crowded): its IAM policy would take" in message
    assert "past the 10,240 AWS allows a role, for the 20 resources" in message
    assert "Split it into functions that each use fewer resources, or give the resources shorter names" in message


def test_settings_that_leave_no_room_for_the_resources_names_are_refused_for_the_environment(tmp_path: Path) -> None:
    message = refusal(tmp_path, buckets(12, "reads", options='env={"A": "a" * 1500, "B": "b" * 1500}, '))
    assert "(crowded): its Lambda environment would take" in message and "past the 4,096 AWS allows" in message
    assert "3,002 of settings (env=)" in message and "the 12 resources it uses" in message


def test_the_reference_app_fits_with_room_to_spare() -> None:
    app = load_app("functions")
    check_function_limits(app, INFO, None)
    arns = Arns(INFO, None)
    for spec in app.functions.values():
        assert policy_chars(function_policy(spec, {}, {}, arns.log_group(spec.name), [])) < 1000


def test_the_bound_takes_the_longest_names_a_deploy_gives() -> None:
    arns = Arns(StackInfo("a-long-project-name", "production-eu", "aws", "3.12", False), None)
    assert arns.bucket("photos") == "arn:aws:s3:::photos-xxxxxxx", "Pulumi's suffix: '-' and 7 characters"
    assert arns.queue_url("jobs") == "https://sqs.ap-southeast-7-x.amazonaws.com/123456789012/jobs-queue-xxxxxxx"
    assert arns.log_group("hello").endswith(":log-group:/portable/a-long-project-name/production-eu/hello")
    assert environment_bytes({"A": "é"}) == 3, "UTF-8 bytes, names and values"
