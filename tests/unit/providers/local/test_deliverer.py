"""Local delivery as the clouds do it (providers/local/deliverer.py): queued before it is acknowledged, attempted again
after a backoff with the same event id, dead-lettered after the last attempt, replayable, and never stopped by a
poison event. The policy is injected with short delays; the kill -9 proof is in tests/e2e/test_local_durability.py."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from werkzeug.test import Client

from portable import load_app
from portable.object_trigger import ObjectEvent
from providers.local.clients import open_bucket
from providers.local.deliverer import Policy, default_policy
from providers.local.runner import LocalApp


class Backoff(NamedTuple):
    """A policy with the portable shape and short delays, so that retries happen within a test."""

    attempts: int = 3
    first_delay: float = 1.0
    max_delay: float = 60.0
    max_age_seconds: float = 3600.0

    def delay_before(self, attempt: int) -> float:
        return 0.0 if attempt <= 1 else min(self.first_delay * 2 ** (attempt - 2), self.max_delay)

    def expired(self, event_time: datetime, now: datetime) -> bool:
        return (now - event_time).total_seconds() > self.max_age_seconds


FAST = Backoff(attempts=3, first_delay=0.1, max_delay=1.0)


@pytest.fixture
def runners(record: Path) -> Iterator[Callable[..., LocalApp]]:
    """Make runners of tests.apps.delivery with a policy and a number of workers; all stop after the test."""
    made: list[LocalApp] = []

    def make(policy: Policy | None = FAST, workers: int = 2) -> LocalApp:
        """With `policy` None, each function's own (`default_policy`)."""
        policy_for = default_policy if policy is None else lambda spec: policy
        made.append(LocalApp("tests.apps.delivery", policy_for=policy_for, workers=workers))
        return made[-1]

    yield make
    for runner in made:
        runner.stop()


def attempts(record: Path, key: str | None = None) -> list[dict[str, Any]]:
    lines = record.read_text().splitlines() if record.exists() else []
    return [entry for entry in map(json.loads, lines) if key is None or entry["key"] == key]


def eventually(check: Callable[[], Any], timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not so after {timeout} s")
        time.sleep(0.02)
    return result


def test_the_local_runner_retries_as_the_deploy_configures_the_clouds() -> None:
    from portable import RetryPolicy

    app = load_app("tests.apps.delivery")
    for spec in app.functions.values():
        assert default_policy(spec) is spec.retries
    assert [RetryPolicy().delay_before(attempt) for attempt in (1, 2, 3)] == [0, 60, 120]


def test_fast_retries_wait_a_second_doubling_with_the_declared_attempts() -> None:
    from portable import RetryPolicy
    from portable.message_trigger import MessagePolicy
    from providers.local.deliverer import FastRetries

    for declared in (RetryPolicy(attempts=3), MessagePolicy(5)):
        fast = FastRetries(declared)
        delays = [fast.delay_before(attempt) for attempt in range(1, declared.attempts + 1)]
        assert fast.attempts == declared.attempts
        assert delays == [0, 1, 2, 4, 8][: declared.attempts], "1 s, doubling"
    assert sum(FastRetries(MessagePolicy(5)).delay_before(n) for n in range(2, 6)) == 15, "not 150 s"
    assert sum(MessagePolicy(5).delay_before(n) for n in range(2, 6)) == 150
    assert FastRetries(MessagePolicy(100)).delay_before(100) == 600, "capped as the portable backoff is"


def test_a_runner_with_fast_retries_gives_every_function_them(record: Path) -> None:
    local = LocalApp("tests.apps.delivery", fast_retries=True, workers=0)
    policy = local.deliverer.policy_for(local.app.function("tick"))
    assert (policy.attempts, policy.delay_before(2), policy.delay_before(3)) == (3, 1.0, 2.0)


def test_a_failed_event_is_attempted_again_after_the_backoff_with_the_same_id(
    runners: Callable[..., LocalApp], record: Path
) -> None:
    local = runners()
    assert Client(local).put("/__portable/objects/drops/flaky/a", data=b"x").status_code == 201
    local.start(schedules=False)
    tries = eventually(lambda: len(found := attempts(record, "flaky/a")) == 3 and found)
    assert len({entry["id"] for entry in tries}) == 1, "every attempt carries the same event id"
    gaps = [later["at"] - earlier["at"] for earlier, later in itertools.pairwise(tries)]
    assert gaps[0] >= 0.1 and gaps[1] >= 0.2, f"backoff of 0.1 s, then 0.2 s: {gaps}"
    eventually(lambda: local.queue.next_due() is None)
    assert local.letters.all() == []


def test_after_its_last_attempt_an_event_is_a_dead_letter_to_read_and_replay(
    runners: Callable[..., LocalApp], record: Path, tmp_path: Path
) -> None:
    local = runners()
    client = Client(local)
    assert client.put("/__portable/objects/drops/poison/a", data=b"x").status_code == 201
    local.start(schedules=False)
    letters = eventually(lambda: client.get("/__portable/dead-letters").get_json()["dead_letters"])
    tries = attempts(record, "poison/a")
    assert len(tries) == 3 and len(letters) == 1
    letter = letters[0]
    assert letter["function"] == "on_drop" and letter["attempts"] == 3
    assert letter["error"] == "RuntimeError: poison: fails until fixed", "the exception's type and message"
    exception = letter["exception"]
    assert (exception["type"], exception["message"]) == ("RuntimeError", "poison: fails until fixed")
    assert exception["traceback"].startswith("Traceback (most recent call last):")
    assert 'tests/apps/delivery/handlers.py", line ' in exception["traceback"], "where the handler raised"
    assert letter["event"]["key"] == "poison/a" and letter["event"]["id"] == tries[0]["id"]
    on_disk = tmp_path / "state" / "dead-letters" / "on_drop" / f"{letter['id']}.json"
    assert letter["about"] == "object created drops/poison/a" and letter["editable"] is False, "its kind's view"
    assert json.loads(on_disk.read_text()) == {k: v for k, v in letter.items() if k not in ("about", "editable")}
    assert client.get("/__portable/dead-letters/on_drop").get_json()["dead_letters"] == letters
    assert client.get("/__portable/dead-letters/nobody").status_code == 404

    Path(f"{record}.fixed").touch()  # the bug is fixed: replay
    replayed = client.post(f"/__portable/dead-letters/on_drop/{letter['id']}/replay")
    assert replayed.status_code == 202 and replayed.get_json()["event_id"] == letter["event"]["id"]
    eventually(lambda: len(attempts(record, "poison/a")) == 4)
    assert attempts(record, "poison/a")[3]["id"] == letter["event"]["id"], "a replay keeps the event id"
    assert not on_disk.exists() and client.get("/__portable/dead-letters").get_json()["dead_letters"] == []
    again = client.post(f"/__portable/dead-letters/on_drop/{letter['id']}/replay")
    assert again.status_code == 404


def test_no_poison_event_stops_the_worker(runners: Callable[..., LocalApp], record: Path) -> None:
    local = runners(Backoff(attempts=2, first_delay=0.05), workers=1)
    drops = open_bucket("drops")  # the bucket's own client: no key check stands in the way
    drops.put("bad\nkey", b"x", "text/plain", {})  # a header cannot carry it: the send raises
    drops.put("exit/now", b"x", "text/plain", {})  # the handler calls sys.exit()
    drops.put("poison/b", b"x", "text/plain", {})  # the handler raises: 500
    drops.put("ok/after", b"x", "text/plain", {})
    local.start(schedules=False)
    eventually(lambda: attempts(record, "ok/after"))
    letters = eventually(lambda: len(found := local.letters.all()) == 3 and found)
    errors = {letter.record()["event"]["key"]: letter.error for letter in letters}
    assert errors["bad\nkey"].startswith("ValueError: Header values must not contain newline")
    assert errors["exit/now"] == "SystemExit: 3"
    assert errors["poison/b"] == "RuntimeError: poison: fails until fixed"
    assert all(letter.attempts == 2 for letter in letters)
    drops.put("ok/later", b"x", "text/plain", {})
    eventually(lambda: attempts(record, "ok/later"))


def test_an_event_the_shim_refuses_is_dead_lettered_at_once(runners: Callable[..., LocalApp], record: Path) -> None:
    local = runners()
    stray = ObjectEvent(bucket="elsewhere", key="a.txt", kind="created", id="stray-1", time=None)
    local.queue.add([("on_drop", stray)])
    local.start(schedules=False)
    [letter] = eventually(local.letters.all)
    assert letter.attempts == 1 and letter.error.startswith("HTTP 400") and "bound to 'drops'" in letter.error
    assert attempts(record) == []


def test_a_failed_firing_is_attempted_again_with_the_same_id(runners: Callable[..., LocalApp], record: Path) -> None:
    local = runners()
    fired = Client(local).post("/__portable/schedules/tick")
    body = fired.get_json()
    assert fired.status_code == 500
    assert body["outcome"] == "retrying" and body["status"] == 500 and body["retry_in_seconds"] == 0.1
    assert "RuntimeError" in body["last_error"]
    local.start(schedules=False)
    tries = eventually(lambda: len(found := attempts(record)) == 2 and found)
    assert tries[0]["id"] == tries[1]["id"] == body["event_id"]
    eventually(lambda: local.queue.next_due() is None)


def test_an_event_past_its_max_age_is_dead_lettered_unsent(runners: Callable[..., LocalApp], record: Path) -> None:
    outcome = runners(Backoff(max_age_seconds=-1)).fire_schedule("tick")
    assert outcome.state == "dead-lettered" and outcome.status is None and "maximum event age" in str(outcome.error)
    assert attempts(record) == []


def test_writes_made_while_no_runner_runs_are_delivered_when_one_starts(
    runners: Callable[..., LocalApp], record: Path
) -> None:
    open_bucket("drops").put("ok/early", b"x", "text/plain", {})
    runners().start(schedules=False)
    assert len(eventually(lambda: attempts(record, "ok/early"))) == 1


def test_an_event_with_one_attempt_is_dead_lettered_in_a_file_when_it_fails(
    runners: Callable[..., LocalApp], record: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The GCP shim ends Eventarc's retries itself (one attempt: a dead letter in the log, and 204); under the
    runner, which counts attempts, the failure reaches the runner, which keeps the dead letter as every other."""
    local = runners(None)
    open_bucket("singles").put("a.txt", b"x", "text/plain", {})
    local.start(schedules=False)
    [letter] = eventually(local.letters.all)
    assert letter.function == "once" and letter.attempts == 1 and len(attempts(record, "a.txt")) == 1
    assert letter.error == "ValueError: once: no second chance for a.txt"
    assert letter.exception is not None and letter.exception["type"] == "ValueError"
    printed: list[str] = []

    def console_lines() -> list[str]:  # the line follows the letter's file: the attempt says how it ended
        printed.extend(capsys.readouterr().err.splitlines())
        return [line for line in printed if " once object created singles/a.txt " in line]

    [line] = eventually(console_lines)
    assert " -> dead-lettered: ValueError: once: no second chance for a.txt (" in line


def test_a_dead_letter_is_discarded(runners: Callable[..., LocalApp]) -> None:
    local = runners(Backoff(attempts=1))
    assert local.fire_schedule("tick").state == "dead-lettered"
    [letter] = local.letters.all()
    client = Client(local)
    assert client.post(f"/__portable/dead-letters/tick/{letter.id}/replay", json={"body": "x"}).status_code == 400
    assert client.delete(f"/__portable/dead-letters/tick/{letter.id}").status_code == 204
    assert local.letters.all() == []
    assert client.delete(f"/__portable/dead-letters/tick/{letter.id}").status_code == 404


def test_http_calls_go_before_events(runners: Callable[..., LocalApp], record: Path) -> None:
    """While a call is answered, the workers wait (up to a moment each time) before they take an event; once no call
    is, they work the queue off at once."""
    import threading

    local = runners(workers=1)
    calls_done = threading.Event()
    in_call = threading.Event()

    def slow_call(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        in_call.set()
        calls_done.wait(10)
        start_response("200 OK", [])
        return [b""]

    local._answer = slow_call  # type: ignore[method-assign]  # a call that holds on until the test lets it go
    caller = threading.Thread(target=lambda: Client(local).get("/slow"))
    caller.start()
    assert in_call.wait(10)
    assert not local.wait_for_calls(0.05), "a call is being answered"
    open_bucket("drops").put("ok/during", b"x", "text/plain", {})
    local.start(schedules=False)
    time.sleep(0.05)
    assert attempts(record, "ok/during") == [], "the event waits while the call is answered"
    calls_done.set()
    caller.join(10)
    assert local.wait_for_calls(0.05)
    eventually(lambda: attempts(record, "ok/during"))


@pytest.fixture
def conformance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("PORTABLE_TEST_RECORD", str(tmp_path / "seen.jsonl"))
    return tmp_path


@pytest.mark.usefixtures("conformance")
def test_an_event_whose_retries_the_shim_ended_is_a_dead_letter_not_a_delivery() -> None:
    """`try_once` takes one attempt (RetryPolicy(attempts=1)): where the runner leaves the count to the GCP shim
    (`counts_attempts=False`, as on GCP), the shim ends its retries and acknowledges it, as Eventarc needs; the
    runner keeps the event as a dead letter to replay, as the clouds' logs do."""
    local = LocalApp("tests.apps.conformance", counts_attempts=False)
    open_bucket("inbox").put("once/a.txt", b"a", "text/plain", {})
    assert local.deliverer.relay()
    outcomes = []
    while (queued := local.queue.take(time.time())) is not None:
        outcomes.append((queued.function, local.deliverer.attempt(queued)))
    settled = {function: outcome for function, outcome in outcomes}
    assert settled["record_created"].state == "delivered"
    once = settled["try_once"]
    assert once.state == "dead-lettered" and once.status == 204
    assert "its one attempt failed" in str(once.error)
    (letter,) = local.letters.all("try_once")
    assert letter.event.key == "once/a.txt" and letter.attempts == 1


@pytest.mark.usefixtures("conformance")
def test_the_runner_counting_attempts_keeps_the_handlers_exception_in_the_dead_letter() -> None:
    """By default the runner counts attempts itself: the shim answers the failure (500, with the exception), and
    the runner's count ends it, so the letter holds what the handler raised."""
    local = LocalApp("tests.apps.conformance")
    open_bucket("inbox").put("once/b.txt", b"b", "text/plain", {})
    assert local.deliverer.relay()
    outcomes = {}
    while (queued := local.queue.take(time.time())) is not None:
        outcomes[queued.function] = local.deliverer.attempt(queued)
    once = outcomes["try_once"]
    assert once.state == "dead-lettered" and once.status == 500
    (letter,) = local.letters.all("try_once")
    assert letter.exception is not None and letter.exception["traceback"].startswith("Traceback")
    assert letter.error == f"{letter.exception['type']}: {letter.exception['message']}"
