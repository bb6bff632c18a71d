"""At-least-once delivery of queued events, with the clouds' attempts, backoff and dead letters.

A relay moves events from the outboxes that local writes fill (each kind's, `<kind>_codec.outboxes`: the
buckets', the tables', the messages') to the delivery queue, one row per function they trigger; workers
take due rows and send each to its function. A success forgets the row; a failure is attempted again
after the function's backoff (its kind's `policy`), and after its last attempt (or past its maximum
event age) becomes a dead letter. An event the function's shim refuses as malformed (4xx) is
dead-lettered at once, since no cloud retries those, and so is one whose retries the shim ended itself
(a platform that does not count attempts). Nothing an event or a handler does stops a worker.
"""

from __future__ import annotations

import json
import threading
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal, NamedTuple, Protocol

from portable import log
from portable.app import App, FunctionSpec
from portable.replies import debug_detail
from portable.retries import MAX_BACKOFF_SECONDS
from portable.triggers import KINDS, trigger_module
from providers.local.console import Console, event_subject
from providers.local.dead_letters import DeadLetter, DeadLetters
from providers.local.delivery_queue import DeliveryQueue, QueuedEvent
from providers.local.events import LocalEvent, codec, doorbell, with_attempt

# Writes in another process ring no bell here: look at the outboxes and the queue this often anyway.
POLL_SECONDS = 1.0
# HTTP calls go first: while calls come, a worker waits up to this long before it takes an event, so that a burst
# of calls delays events a little (they wait in the durable queue), never the calls.
YIELD_SECONDS = 0.2
RELAY_BATCH = 500
_ERROR_CHARS = 1000
FAST_FIRST_DELAY_SECONDS = 1.0
_EXCEPTION_FIELDS = ("type", "message", "traceback")


class Policy(Protocol):
    """How a function's failed events are retried (the shape of `portable.retries.RetryPolicy`)."""

    @property
    def attempts(self) -> int:
        """Attempts in all, the first included."""
        ...

    def delay_before(self, attempt: int) -> float:
        """Seconds to wait after a failed attempt before attempt number `attempt` (2 or more)."""
        ...

    def expired(self, event_time: datetime, now: datetime) -> bool:
        """Whether an event queued at `event_time` is too old to be attempted at `now`."""
        ...


PolicyFor = Callable[[FunctionSpec], Policy]
State = Literal["delivered", "retrying", "dead-lettered", "queued"]


class Answer(NamedTuple):
    """What a function's target answered one delivery: its HTTP status and body, and, when it acknowledged the
    event as a dead letter (its retries ended in the shim), why."""

    status: int
    body: str
    dead_lettered: str | None = None


# (function, event) -> its target's answer.
Send = Callable[[str, LocalEvent], Answer]


def default_policy(spec: FunctionSpec) -> Policy:
    """The function's portable retry policy (its kind's): the attempts and backoff the deploy gives it."""
    policy: Policy = trigger_module(spec.kind).policy(spec)
    return policy


class FastRetries(NamedTuple):
    """`policy` with its attempts and maximum age, waiting FAST_FIRST_DELAY_SECONDS between the first two attempts
    and doubling from there, up to MAX_BACKOFF_SECONDS (`portable dev --fast-retries`)."""

    policy: Policy

    @property
    def attempts(self) -> int:
        return self.policy.attempts

    def delay_before(self, attempt: int) -> float:
        return 0.0 if attempt <= 1 else min(FAST_FIRST_DELAY_SECONDS * 2 ** (attempt - 2), MAX_BACKOFF_SECONDS)

    def expired(self, event_time: datetime, now: datetime) -> bool:
        return self.policy.expired(event_time, now)


def faster(policy_for: PolicyFor) -> PolicyFor:
    """Each function's policy of `policy_for`, with fast retries."""
    return lambda spec: FastRetries(policy_for(spec))


class Outcome(NamedTuple):
    """What became of one attempt: `status` is the function's HTTP status (None if it was not reached)."""

    event_id: str
    state: State
    status: int | None = None
    error: str | None = None
    retry_in: float | None = None


class Failure(NamedTuple):
    """Why an attempt failed: one line to show, and the handler's exception (type, message, traceback) when the
    function's target said what it was."""

    error: str
    exception: dict[str, str] | None = None


class Deliverer:
    """The relay and `workers` worker threads over one App's queue; `attempt` also serves callers that fire now."""

    def __init__(
        self,
        app: App,
        queue: DeliveryQueue,
        letters: DeadLetters,
        send: Send,
        policy_for: PolicyFor,
        workers: int,
        console: Console,
        yield_to_calls: Callable[[float], object] = lambda seconds: None,
    ) -> None:
        self.app = app
        self.console = console
        self.yield_to_calls = yield_to_calls
        self.queue = queue
        self.letters = letters
        self.send = send
        self.policy_for = policy_for
        self.workers = workers
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self.queue.release_the_dead(time.time())
        self._spawn(self._relay_loop)
        for _ in range(self.workers):
            self._spawn(self._work_loop)

    def stop(self) -> None:
        self._stopping.set()
        doorbell.ring()
        for thread in self._threads:
            thread.join(timeout=5)

    def relay(self) -> bool:
        """Move waiting events from every outbox to the queue, one row per function each triggers, due when its
        outbox says (a delayed message) or at once; whether there were any."""
        moved = False
        root = self.queue.path.parent
        for kind in KINDS:
            receivers = getattr(trigger_module(kind), "receivers", None)
            for outbox in codec(kind).outboxes(self.app, root):
                through, found = outbox.take(RELAY_BATCH)
                if not through:
                    continue
                rows: list[tuple[str, LocalEvent, float]] = []
                for event, due in found:
                    functions = receivers(self.app, event) if receivers else []
                    if not functions:
                        log.info("event triggers no function of the App", kind=kind, event_id=event.id)
                    rows.extend((spec.name, event, due or 0.0) for spec in functions)
                self.queue.add_due(rows)
                outbox.clear(through)
                moved = True
        return moved

    def attempt(self, delivery: QueuedEvent) -> Outcome:
        """Send `delivery` once and settle it: forgotten, due again after the backoff, or dead-lettered.

        Each attempt says its outcome in one line on the console.
        """
        started = time.perf_counter()
        outcome = self._attempt(delivery)
        spec = self.app.functions.get(delivery.function)
        self.console.invocation(
            delivery.function,
            spec.kind if spec else "event",
            event_subject(delivery.event),
            _described(outcome, delivery),
            time.perf_counter() - started,
        )
        return outcome

    def _attempt(self, delivery: QueuedEvent) -> Outcome:
        event_id = delivery.event.id
        spec = self.app.functions.get(delivery.function)
        if spec is None:
            gone = Failure(f"the App has no function {delivery.function!r} any more")
            return self._dead_letter(delivery, delivery.attempts - 1, None, gone)
        policy = self.policy_for(spec)
        if delivery.attempts > policy.attempts:  # the process died between the last attempt and its dead letter
            exhausted = Failure(delivery.last_error or "attempts exhausted")
            return self._dead_letter(delivery, policy.attempts, None, exhausted)
        if policy.expired(datetime.fromtimestamp(delivery.queued, UTC), datetime.now(UTC)):
            last = f"; the last attempt failed with {delivery.last_error}" if delivery.last_error else ""
            return self._dead_letter(
                delivery, delivery.attempts - 1, None, Failure(f"past the maximum event age{last}")
            )
        status, failure, ended = self._send(delivery)
        if ended is not None:
            ended_here = Failure(f"the function's shim ended its retries: {ended}")
            return self._dead_letter(delivery, delivery.attempts, status, ended_here)
        if failure is None:
            self.queue.done(delivery)
            return Outcome(event_id, "delivered", status)
        if (status is not None and 400 <= status < 500) or delivery.attempts >= policy.attempts:
            return self._dead_letter(delivery, delivery.attempts, status, failure)
        delay = policy.delay_before(delivery.attempts + 1)
        self.queue.retry(delivery, time.time() + delay, failure.error)
        log.warning(
            "event attempt failed, will retry",
            function=delivery.function,
            event_id=event_id,
            attempt=delivery.attempts,
            of=policy.attempts,
            retry_in=delay,
            error=failure.error,
        )
        return Outcome(event_id, "retrying", status, failure.error, delay)

    def _send(self, delivery: QueuedEvent) -> tuple[int | None, Failure | None, str | None]:
        """The status the function's target answered (None: not reached), why the attempt failed (None: it did
        not), and why the target ended the event's retries itself, if it did."""
        try:
            answer = self.send(delivery.function, with_attempt(delivery.event, delivery.attempts))
        # A handler's sys.exit(), or an event its trigger cannot carry, fails this attempt, never the worker.
        except (Exception, SystemExit) as exc:
            log.error(
                "event could not be sent",
                function=delivery.function,
                event_id=delivery.event.id,
                error=f"{type(exc).__name__}: {exc}",
                traceback=traceback.format_exc(),
            )
            return None, Failure(f"{type(exc).__name__}: {exc}"[:_ERROR_CHARS], debug_detail(exc)["debug"]), None
        if 200 <= answer.status < 300:
            return answer.status, None, answer.dead_lettered
        return answer.status, failure_of(answer.status, answer.body), None

    def _dead_letter(self, delivery: QueuedEvent, attempts: int, status: int | None, failure: Failure) -> Outcome:
        letter = DeadLetter(
            id=delivery.id,
            function=delivery.function,
            event=delivery.event,
            attempts=attempts,
            error=failure.error,
            queued=datetime.fromtimestamp(delivery.queued, UTC),
            dead_lettered=datetime.now(UTC),
            exception=failure.exception,
        )
        if self.queue.move_out(delivery, lambda: self.letters.write(letter)):
            log.error(
                "event dead-lettered",
                function=delivery.function,
                event_id=delivery.event.id,
                attempts=attempts,
                error=failure.error,
                letter=f"{delivery.function}/{delivery.id}",
            )
        return Outcome(delivery.event.id, "dead-lettered", status, failure.error)

    def _spawn(self, work: Callable[[], None]) -> None:
        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _relay_loop(self) -> None:
        released = 0.0
        while not self._stopping.is_set():
            rings = doorbell.rings()
            self.yield_to_calls(YIELD_SECONDS)  # then it moves more events in one go
            try:
                moved = self.relay()
                if time.monotonic() - released >= POLL_SECONDS:  # a write of the queue: not on every ring
                    self.queue.release_the_dead(time.time())
                    released = time.monotonic()
            except Exception as exc:  # a broken state directory: say so, and try again
                log.error("moving events to the delivery queue failed", error=f"{type(exc).__name__}: {exc}")
                moved = False
            if not moved:
                doorbell.wait(rings, POLL_SECONDS)

    def _work_loop(self) -> None:
        while not self._stopping.is_set():
            rings = doorbell.rings()
            self.yield_to_calls(YIELD_SECONDS)
            try:
                delivery = self.queue.take(time.time())
                if delivery is not None:
                    self.attempt(delivery)
                    continue
                due = self.queue.next_due()
            except Exception as exc:  # a broken state directory: the row's lease runs out and it comes back
                log.error("delivering an event failed", error=f"{type(exc).__name__}: {exc}")
                due = None
            wait = POLL_SECONDS if due is None else min(POLL_SECONDS, max(0.0, due - time.time()))
            doorbell.wait(rings, wait)


def failure_of(status: int, body: str) -> Failure:
    """A failed attempt as its target answered it: the handler's exception when the reply carries it (the local
    runner's event functions put it in their 500 replies' `debug` field), else the status and body."""
    try:
        detail = json.loads(body).get("debug")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, dict) and all(isinstance(detail.get(field), str) for field in _EXCEPTION_FIELDS):
        exception = {field: detail[field] for field in _EXCEPTION_FIELDS}
        return Failure(f"{exception['type']}: {exception['message']}"[:_ERROR_CHARS], exception)
    return Failure(f"HTTP {status}: {body}"[:_ERROR_CHARS])


def _described(outcome: Outcome, delivery: QueuedEvent) -> str:
    if outcome.state == "delivered":
        return "ok"
    if outcome.state == "retrying":
        return f"retry in {outcome.retry_in:g} s, attempt {delivery.attempts} failed: {_first_line(outcome.error)}"
    if outcome.state == "dead-lettered":
        return f"dead-lettered: {_first_line(outcome.error)}"
    return outcome.state


def _first_line(error: str | None, limit: int = 160) -> str:
    lines = (error or "").strip().splitlines()
    line = lines[0] if lines else "no reason given"
    return line if len(line) <= limit else line[:limit] + "..."
