"""Every published payload in tests/fixtures/ is exercised by some test of a shim."""

from __future__ import annotations

from tests.conftest import FIXTURES


def test_every_fixture_file_is_exercised() -> None:
    used = {
        "gcp/storage/finalized-structured.json",
        "gcp/storage/finalized-structured-with-bucket-extension.json",
        "gcp/storage/data/StorageObjectData-simple.json",
        "gcp/storage/data/StorageObjectData-complex.json",
        "gcp/scheduler/http-target-request.documented-contract.json",
        "gcp/scheduler/cloudevent-data/SchedulerJobData-simple.json",
    }
    from tests.unit.providers.aws.test_http_codec import HTTP_EXPECTED
    from tests.unit.providers.aws.test_message_codec import SNS_VIA_SQS_EXPECTED, SQS_EXPECTED
    from tests.unit.providers.aws.test_object_codec import S3_EXPECTED
    from tests.unit.providers.aws.test_schedule_codec import SCHEDULE_EXPECTED
    from tests.unit.providers.gcp.test_message_codec import PUBSUB_EXPECTED

    used |= {f"aws/{name}" for name in (*HTTP_EXPECTED, *S3_EXPECTED, *SCHEDULE_EXPECTED)}
    used |= {f"aws/{name}" for name in (*SQS_EXPECTED, *SNS_VIA_SQS_EXPECTED)}
    used |= {*PUBSUB_EXPECTED, "gcp/pubsub/push/minimal-data-only.json"}
    used |= {"aws/s3/docs-test-event.json", "aws/eventbridge/ec2-state-change-with-replay-name.json"}
    from tests.unit.conformance.test_auth_fixtures import USED as AUTH_FIXTURES

    used |= AUTH_FIXTURES
    from tests.unit.conformance.test_change_fixtures import USED as CHANGE_FIXTURES

    used |= CHANGE_FIXTURES
    present = {str(path.relative_to(FIXTURES)) for path in FIXTURES.rglob("*.json")}
    assert present - used == set(), "a fixture no test exercises"
    assert used - present == set()
