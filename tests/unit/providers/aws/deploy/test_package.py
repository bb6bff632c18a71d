"""Lambda archives (providers/aws/deploy/package.py): the platform of the wheels follows architecture and Python."""

from __future__ import annotations

from providers.aws.deploy.package import WheelTarget


def test_lambda_platforms_follow_architecture_and_python() -> None:
    assert WheelTarget.for_lambda("3.12", "arm64").platform == "aarch64-manylinux_2_34"  # Amazon Linux 2023
    assert WheelTarget.for_lambda("3.13", "x86_64").platform == "x86_64-manylinux_2_34"
    assert WheelTarget.for_lambda("3.11", "x86_64").platform == "x86_64-manylinux_2_17"  # Amazon Linux 2: glibc 2.26
