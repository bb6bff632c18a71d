"""The account, region and ARNs of the events Portable makes up in AWS's shapes (the test kit, `portable invoke`,
the deploy preview): one placeholder account, the default region."""

from __future__ import annotations

ACCOUNT = "123456789012"
REGION = "us-east-1"


def arn(service: str, resource: str, region: str = REGION, account: str = ACCOUNT) -> str:
    """`arn:aws:<service>:<region>:<account>:<resource>`."""
    return f"arn:aws:{service}:{region}:{account}:{resource}"
