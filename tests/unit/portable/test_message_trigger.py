"""The portable message rules (portable/messaging.py: the strictest of SQS, SNS and Pub/Sub), the Message type and
the backoff (portable/message_trigger.py), and the options of message functions no cloud could run, refused when
the App loads."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from portable import AppDefinitionError, InvalidValue, TooLarge, load_app
from portable.limits import MESSAGE_MAX_BYTES
from portable.message_trigger import Message, MessagePolicy
from portable.messaging import check_message
from tests.support.packages import make_package

AT = datetime(2026, 11, 28, tzinfo=UTC)


def test_a_message_of_exactly_the_limit_passes_and_one_byte_more_is_too_large() -> None:
    assert len(check_message("jobs", "x" * MESSAGE_MAX_BYTES, None)[0]) == MESSAGE_MAX_BYTES
    with pytest.raises(TooLarge, match="262145 bytes; the limit is 262144 bytes"):
        check_message("jobs", "x" * (MESSAGE_MAX_BYTES + 1), None)
    with pytest.raises(TooLarge, match="put the payload in a bucket"):
        check_message("jobs", "x" * (MESSAGE_MAX_BYTES - 3), {"abc": "d"})


def test_a_binary_body_counts_as_the_base64_that_sqs_carries() -> None:
    fits = 3 * (MESSAGE_MAX_BYTES // 4)
    assert check_message("jobs", b"\xff" * fits, None)[0] == b"\xff" * fits
    with pytest.raises(TooLarge, match="counts base64-encoded"):
        check_message("jobs", b"\xff" * (fits + 1), None)


def test_bodies_are_bytes_text_or_json() -> None:
    assert check_message("jobs", {"name": "Ada", "n": [1]}, None)[0] == b'{"name":"Ada","n":[1]}'
    assert check_message("jobs", "h\u00e9", None)[0] == "h\u00e9".encode()
    assert check_message("jobs", bytearray(b"ab"), None)[0] == b"ab"
    with pytest.raises(InvalidValue, match="bytes, str, dict or list, got int"):
        check_message("jobs", 42, None)
    with pytest.raises(InvalidValue, match="not JSON-serialisable"):
        check_message("jobs", {"when": AT}, None)


@pytest.mark.parametrize(
    "attributes, fault",
    [
        ({f"a{n}": "v" for n in range(9)}, "at most 8 attributes"),
        ({"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}, "not traceparent"),
        ({"aws.trace": "v"}, "not valid"),
        ({"Amazon.x": "v"}, "not valid"),
        ({"google": "v"}, "not valid"),
        ({"portable.encoding": "base64"}, "not valid"),
        ({"a..b": "v"}, "not valid"),
        ({"a.": "v"}, "not valid"),
        ({".a": "v"}, "not valid"),
        ({"sp ace": "v"}, "not valid"),
        ({"": "v"}, "not valid"),
        ({"x" * 257: "v"}, "not valid"),
        ({1: "v"}, "not valid"),
        ({"a": ""}, "non-empty str"),
        ({"a": 1}, "non-empty str"),
        ({"a": "v" * 1025}, "at most 1024 bytes"),
        ({"a": "bell\x07"}, "without control characters"),
        (["a"], "dict of str to str"),
    ],
)
def test_attributes_follow_every_clouds_rules(attributes: object, fault: str) -> None:
    with pytest.raises(InvalidValue, match=fault):
        check_message("jobs", b"x", attributes)


def test_attributes_within_the_rules_pass() -> None:
    attributes = {f"k.{n}-_x": "v\u00e9" * 10 for n in range(8)}
    assert check_message("jobs", b"x", attributes)[1] == attributes


@pytest.mark.parametrize("delay", [-1, 901, 1.5, True, "60"])
def test_delays_are_whole_seconds_up_to_fifteen_minutes(delay: object) -> None:
    with pytest.raises(InvalidValue, match="delay_seconds must be a whole number from 0 to 900"):
        check_message("jobs", b"x", None, delay, delays=True)
    assert check_message("jobs", b"x", None, 900, delays=True)


def test_a_delay_needs_a_queue_declared_with_delays() -> None:
    with pytest.raises(
        InvalidValue,
        match=r"jobs: delay_seconds=60 needs a queue declared with delays: "
        r"queue\('jobs', delays=True\), which deploys to AWS and runs locally but not on GCP",
    ):
        check_message("jobs", b"x", None, 60)
    assert check_message("jobs", b"x", None, 60, delays=True)
    assert check_message("jobs", b"x", None, 0)


def test_text_and_json_fail_only_when_called_and_name_the_message() -> None:
    binary = Message("m-1", b"\xff\xfe", {}, 1, AT, "jobs")
    with pytest.raises(InvalidValue, match="message m-1 is not UTF-8 text"):
        binary.text  # noqa: B018
    prose = Message("m-2", b"hello", {}, 1, AT, "jobs")
    assert prose.text == "hello"
    with pytest.raises(InvalidValue, match="jobs: message m-2 is not JSON"):
        prose.json()
    assert Message("m-3", b'{"a": [1]}', {}, 1, AT, "jobs").json() == {"a": [1]}


def test_the_backoff_doubles_from_ten_seconds_to_ten_minutes() -> None:
    policy = MessagePolicy(7)
    assert [policy.delay_before(n) for n in range(1, 9)] == [0, 10, 20, 40, 80, 160, 320, 600]
    assert policy.delay_before(1000) == 600
    assert [policy.wait_after_failure(n) for n in range(1, 9)] == [10, 20, 40, 80, 160, 320, 0, 0], (
        "after the last attempt a message waits for nothing: its next receipt dead-letters it"
    )
    assert not policy.expired(AT, datetime(2026, 12, 4, tzinfo=UTC))
    assert policy.expired(AT, datetime(2026, 12, 6, tzinfo=UTC))


REFUSED = {
    "too few attempts": ("@jobs.on_message(max_attempts=4)", "max_attempts=4 cannot run on GCP"),
    "too many attempts": ("@jobs.on_message(max_attempts=101)", "5 to 100 delivery attempts"),
    "attempts not a number": ("@jobs.on_message(max_attempts='5')", "max_attempts='5'"),
    "batch of none": ("@jobs.on_message(batch_size=0)", "batch_size=0 cannot run on AWS"),
    "batch too big": ("@jobs.on_message(batch_size=11)", "1 to 10 messages per call"),
    "retries=": ("@jobs.on_message(retries=RetryPolicy())", "takes max_attempts= on on_message"),
    "unknown option": ("@jobs.on_message(priority=1)", "unknown option priority="),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_subscriptions_no_cloud_could_run_are_refused_with_the_fix(case: str, tmp_path: Path) -> None:
    decorator, message = REFUSED[case]
    source = f"""
        from portable import Message, RetryPolicy, queue
        jobs = queue("jobs")

        {decorator}
        def work(message: Message) -> None: ...
    """
    with pytest.raises(AppDefinitionError, match=message):
        load_app(make_package(tmp_path, jobs=source))
