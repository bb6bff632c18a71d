"""The portable message rules (the strictest of SQS, SNS and Pub/Sub), the Message type, and the declarations
of queues and topics: refused when the App loads if a cloud could not run them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from portable import AccessNotDeclared, AppDefinitionError, InvalidValue, TooLarge, load_app
from portable.context import using_clients
from portable.limits import MESSAGE_MAX_BYTES
from portable.messages import Message, MessagePolicy, check_message
from providers.binding import client_factory
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
        ({f"a{n}": "v" for n in range(10)}, "at most 9 attributes"),
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
    attributes = {f"k.{n}-_x": "v\u00e9" * 10 for n in range(9)}
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


class Recorded:
    """A queue client that keeps what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[bytes, int]] = []

    def send(self, body: bytes, attributes: dict[str, str], delay_seconds: int) -> str:
        self.sent.append((body, delay_seconds))
        return f"m-{len(self.sent)}"


def test_send_holds_a_message_back_only_on_a_queue_declared_with_delays() -> None:
    from portable.messaging import Queue

    client = Recorded()
    with using_clients(lambda spec: client):
        assert Queue("later", delays=True).send(b"a", delay_seconds=900) == "m-1"
        with pytest.raises(InvalidValue, match=r"queue\('soon', delays=True\)"):
            Queue("soon").send(b"b", delay_seconds=1)
        assert Queue("soon").send(b"c") == "m-2"
    assert client.sent == [(b"a", 900), (b"c", 0)], "a refused send reaches no client"
    with pytest.raises(AppDefinitionError, match="queue 'later' takes delays=True or delays=False, got 'yes'"):
        Queue("later", delays="yes")  # type: ignore[arg-type]


def test_a_queue_declared_with_and_without_delays_is_refused(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        first="""
        from portable import queue
        jobs = queue("jobs", delays=True)

        @jobs.on_message
        def work(message): ...
    """,
        second="""
        from portable import http, queue
        jobs = queue("jobs")

        @http("POST /jobs", writes=[jobs])
        def enqueue(request): ...
    """,
    )
    with pytest.raises(
        AppDefinitionError,
        match=r"queue 'jobs' is declared with delays=True at .*first.py:3 and "
        r"without at .*second.py:3; declare it the same way everywhere",
    ):
        load_app(package)


def test_the_app_names_its_queues_declared_with_delays(tmp_path: Path) -> None:
    app = load_app(
        make_package(
            tmp_path,
            shop="""
        from portable import http, queue
        later = queue("later", delays=True)
        now = queue("now")
        unused = queue("unused", delays=True)

        @http("POST /jobs", writes=[later, now])
        def enqueue(request): ...
    """,
        )
    )
    assert list(app.delayed_queues) == ["later"]
    assert app.delayed_queues["later"].endswith("shop.py:3")


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


SHARED = {
    "a queue with two consumers": (
        """
        from portable import queue
        jobs = queue("jobs")

        @jobs.on_message
        def first(message): ...

        @jobs.on_message
        def second(message): ...
    """,
        r"queue 'jobs' has 2 consumers.*declare a topic",
    ),
    "a name of two kinds": (
        """
        from portable import table, topic
        ledger = table("ledger-of-clashes")
        also = topic("ledger-of-clashes")
    """,
        "'ledger-of-clashes' is declared both as a table and as a topic",
    ),
}


@pytest.mark.parametrize("case", sorted(SHARED))
def test_a_queue_has_one_consumer_and_a_name_one_kind(case: str, tmp_path: Path) -> None:
    source, message = SHARED[case]
    with pytest.raises(AppDefinitionError, match=message):
        load_app(make_package(tmp_path, shared=source))


def test_subscribers_and_consumers_are_described_as_plain_data(tmp_path: Path) -> None:
    source = """
        from portable import queue, topic
        jobs = queue("jobs")
        orders = topic("orders")

        @orders.on_message(writes=[jobs], timeout_seconds=20)
        def bill(message): ...

        @orders.on_message
        def email(message): ...

        @jobs.on_message(batch_size=3, max_attempts=9)
        def work(message): ...
    """
    app = load_app(make_package(tmp_path, shop=source))
    assert (app.queues, app.topics) == (["jobs"], ["orders"])
    assert [spec.name for spec in app.message_functions("orders")] == ["bill", "email"]
    work = app.function("work")
    assert work.trigger == ("jobs", "queue", 3, 9) and work.trigger_name == "message"  # type: ignore[comparison-overlap]
    bill = app.function("bill")
    assert bill.trigger == ("orders", "topic", 10, 5) and bill.timeout_seconds == 20  # type: ignore[comparison-overlap]
    assert bill.readable == {"orders", "jobs"} and bill.writes == {"jobs"}


def test_send_and_publish_need_the_declaration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from portable.app import load_function
    from portable.context import Invocation, current_invocation, setting
    from portable.messaging import Queue, Topic

    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))
    source = """
        from portable import queue, topic
        jobs = queue("jobs")
        orders = topic("orders")

        @orders.on_message(writes=[jobs])
        def bill(message): ...
    """
    spec, _ = load_function("bill", f"{make_package(tmp_path, shop=source)}.shop")
    with setting(current_invocation, Invocation(spec, client_factory("local"))):
        assert Queue("jobs").send(b"declared")
        with pytest.raises(
            AccessNotDeclared,
            match="function 'bill' writes topic 'orders' without declaring it; add writes=\\[topic\\('orders'\\)\\]",
        ):
            Topic("orders").publish(b"not declared")
    with using_clients(client_factory("local")):
        assert Topic("orders").publish(b"a script is not held to declarations")
