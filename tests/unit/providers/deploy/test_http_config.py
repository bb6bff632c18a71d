"""The stack's CORS origins and JWT issuers (providers/deploy/http_config.py): a wrong override stops the deploy."""

from __future__ import annotations

import json

import pulumi
import pytest

from tests.support.project import deploy_project

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"portable:corsAllowOrigins": "app.example.com"}, "portable:corsAllowOrigins is wrong"),
        ({"portable:corsAllowOrigins": "[1, 2]"}, "portable:corsAllowOrigins is '[1, 2]': a list of origins"),
        ({"portable:jwtAuth": "https://x/"}, "portable:jwtAuth must be an object"),
        (
            {"portable:jwtAuth": json.dumps({"admins": {"issuer": "https://x/"}})},
            "portable:jwtAuth.admins names no jwt_auth a route requires (they are: users)",
        ),
        ({"portable:jwtAuth": json.dumps({"users": {"issuer": 7}})}, "portable:jwtAuth.users is wrong"),
        (
            {"portable:jwtAuth": json.dumps({"users": {"audience": ["a"]}})},
            "portable:jwtAuth.users must be an object with issuer, audiences, jwksUri",
        ),
    ],
)
def test_a_wrong_override_stops_the_deploy_naming_the_key(config: dict[str, str], expected: str) -> None:
    with pytest.raises(pulumi.RunError) as refusal:
        deploy_project("aws", config)
    assert expected in str(refusal.value) and "pulumi config set" in str(refusal.value)
