"""The whole App on one machine, through the GCP shim under functions-framework.

Every function gets its own functions-framework app built from `main.py`, as Cloud
Functions gen2 builds it, serving the package on local data without a word in the
process environment. HTTP requests are routed to the function whose route matches.
Object events and schedule firings go through a durable queue in the state directory
and are delivered at least once, with retries and dead letters (providers/local/delivery.py):
object events as binary-mode CloudEvents (what Eventarc sends), firings as Cloud
Scheduler calls.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from portable import log
from portable.app import App, FunctionSpec, ResourceSpec, load_app
from portable.context import physical_name
from portable.errors import BackendError, NotFound
from portable.events import ScheduleEvent, schedule_firing
from portable.messages import Message
from providers.gcp import scheduler_requests, storage_events
from providers.local.clients import open_bucket
from providers.local.control import PREFIX, Control
from providers.local.dead_letters import DeadLetter, DeadLetters
from providers.local.deliveries import DeliveryQueue
from providers.local.delivery import Deliverer, Outcome, PolicyFor, default_policy
from providers.local.events import LocalEvent
from providers.local.sqlite_files import local_dir
from providers.local.wsgi import Environ, StartResponse, error, send
from providers.paths import MAIN_PY

# An attempt that runs this much past its function's timeout is presumed lost (the clouds would have ended it).
LEASE_GRACE_SECONDS = 30
WORKERS = 4


class LocalApp:
    """A WSGI app serving every HTTP route, plus workers for object events and schedules.

    `policy_for(spec)` gives each object and schedule function its attempts and backoff.
    """

    def __init__(self, package: str = "functions", source: Path | None = None, *,
                 policy_for: PolicyFor = default_policy, workers: int = WORKERS) -> None:
        import functions_framework

        from providers.gcp import runtime

        self.app: App = load_app(package)
        source_file = str(source or MAIN_PY)
        with runtime.exporting(package, "local"):
            self.targets = {
                name: functions_framework.create_app(target=name, source=source_file)  # type: ignore[no-untyped-call]
                for name in self.app.functions
            }
        root = local_dir()
        self.queue = DeliveryQueue(root, self._lease_seconds)
        self.letters = DeadLetters(root)
        self.deliverer = Deliverer(self.app, self.queue, self.letters, self.deliver, policy_for, open_bucket, workers)
        self.control = Control(self.app, self.fire_schedule, open_bucket, self.letters, self.replay)
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    # HTTP -----------------------------------------------------------------

    def route(self, method: str, path: str) -> tuple[FunctionSpec | None, list[str]]:
        """The function serving (method, path) as the clouds' gateways choose it, else None and the methods the
        path allows."""
        return self.app.route(method, path)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        if path.startswith(PREFIX):
            return self.control(environ, start_response)
        spec, allowed = self.route(method, path)
        if spec is not None:
            return self.targets[spec.name](environ, start_response)  # type: ignore[no-any-return]
        if not allowed:
            return send(start_response, error(404, f"no route for {method} {path}"))
        reply = error(405, f"{method} is not allowed on {path}: use {', '.join(allowed)}")
        reply.headers.append(("Allow", ", ".join(allowed)))
        return send(start_response, reply)

    # Events ---------------------------------------------------------------

    def deliver(self, function: str, event: LocalEvent) -> tuple[int, str]:
        """Call `function` with `event` as Eventarc, Cloud Scheduler or a Pub/Sub push subscription would; the status
        and body it answers."""
        client = self.targets[function].test_client()
        if isinstance(event, ScheduleEvent):
            response = client.post("/", headers=scheduler_requests.encode(function, event.time))
        elif isinstance(event, Message):
            from providers.gcp import pubsub_events

            headers, body = pubsub_events.encode(event, f"projects/local/subscriptions/{function}")
            response = client.post("/", headers=headers, data=body)
        else:
            headers, body = storage_events.encode(event, physical_name(ResourceSpec("bucket", event.bucket)))
            response = client.post("/", headers=headers, data=body)
        return response.status_code, response.get_data(as_text=True)

    def fire_schedule(self, name: str, due: datetime | None = None) -> Outcome:
        """Queue the firing of schedule `name` due at `due` (default: now) and make its first attempt now.

        Failed attempts are retried by the workers of whichever runner serves the state directory.
        """
        event = schedule_firing(name, due or datetime.now(UTC).replace(microsecond=0))
        delivery = self.queue.add_taken(name, event)
        if delivery is None:
            return Outcome(event.id, "queued")
        return self.deliverer.attempt(delivery)

    def replay(self, function: str, letter_id: str) -> DeadLetter:
        """Queue a dead letter's event again for its function (same event id, attempts anew) and remove the letter."""
        if function not in self.app.functions:
            raise NotFound("dead letters", f"no function named {function!r} in the App")
        letter = self.letters.read(function, letter_id)
        self.queue.add([(function, letter.event)])
        self.letters.remove(function, letter_id)
        log.info("dead letter replayed", function=function, event_id=letter.event.id, letter=letter_id)
        return letter

    def _lease_seconds(self, function: str) -> float:
        spec = self.app.functions.get(function)
        return (spec.timeout_seconds if spec else 60) + LEASE_GRACE_SECONDS

    # Background workers ---------------------------------------------------

    def start(self, schedules: bool = True) -> None:
        self.deliverer.start()
        if schedules and self.app.schedule_functions():
            thread = threading.Thread(target=self._schedule_worker, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stopping.set()
        self.deliverer.stop()
        for thread in self._threads:
            thread.join(timeout=5)

    def _schedule_worker(self) -> None:
        from providers.local.scheduler import LocalScheduler

        scheduler = LocalScheduler(
            ((spec.name, spec.trigger.schedule) for spec in self.app.schedule_functions()),
            self._queue_firing,
        )
        while True:
            due = scheduler.next_due()
            if due is None:
                return
            # Wake at least every second, so that stop() is honoured promptly.
            if self._stopping.wait(min(1.0, max(0.0, (due - datetime.now(UTC)).total_seconds()))):
                return
            scheduler.fire_due()

    def _queue_firing(self, name: str, due: datetime) -> None:
        try:
            self.queue.add([(name, schedule_firing(name, due))])
        except BackendError as exc:  # the next firing may find the state directory writable again
            log.error("schedule firing could not be queued", function=name, due=due.isoformat(), error=str(exc))
            return
        log.info("schedule fired", function=name, due=due.isoformat())
