"""The whole App on one machine, through the GCP shim under functions-framework.

Every function gets its own functions-framework app built from `main.py`, as Cloud
Functions gen2 builds it, serving the package on local data without a word in the
process environment. HTTP requests are routed to the function whose route matches;
object events from the local buckets are delivered as binary-mode CloudEvents (what
Eventarc sends); schedules are delivered as Cloud Scheduler calls.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from portable import log
from portable.app import App, FunctionSpec, ResourceSpec, load_app
from portable.context import physical_name
from portable.events import ObjectEvent
from providers.gcp import scheduler_requests, storage_events
from providers.local.clients import open_bucket
from providers.local.control import PREFIX, Control
from providers.local.wsgi import Environ, StartResponse, error, send
from providers.paths import MAIN_PY


class LocalApp:
    """A WSGI app serving every HTTP route, plus workers for object events and schedules."""

    def __init__(self, package: str = "functions", source: Path | None = None) -> None:
        import functions_framework

        from providers.gcp import runtime

        self.app: App = load_app(package)
        source_file = str(source or MAIN_PY)
        with runtime.exporting(package, "local"):
            self.targets = {
                name: functions_framework.create_app(target=name, source=source_file)  # type: ignore[no-untyped-call]
                for name in self.app.functions
            }
        self.control = Control(self.app, self.fire_schedule, open_bucket)
        self.events: queue.Queue[ObjectEvent | None] = queue.Queue()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._unsubscribe: Callable[[], None] | None = None

    # HTTP -----------------------------------------------------------------

    def route(self, method: str, path: str) -> tuple[FunctionSpec | None, list[str]]:
        """The function serving (method, path), else None and the methods the path allows."""
        allowed: list[str] = []
        fallback: FunctionSpec | None = None
        for spec in self.app.http_functions():
            route = spec.trigger.route
            if route.match(path) is None:
                continue
            if route.method == method.upper():
                return spec, []
            if route.method == "ANY":
                fallback = fallback or spec
            allowed.append(route.method)
        return (fallback, []) if fallback else (None, allowed)

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

    def deliver_object_event(self, event: ObjectEvent) -> list[tuple[str, int]]:
        """Send `event` to every function it triggers, as Eventarc would; (function, status) each."""
        physical = physical_name(ResourceSpec("bucket", event.bucket))
        results = []
        for spec in self.app.object_functions(event.bucket):
            if spec.trigger.accepts(event):
                headers, body = storage_events.encode(event, physical)
                response = self.targets[spec.name].test_client().post("/", headers=headers, data=body)
                results.append((spec.name, response.status_code))
        return results

    def fire_schedule(self, name: str, due: datetime | None = None) -> int:
        """Call schedule function `name` as Cloud Scheduler does; its HTTP status."""
        headers = scheduler_requests.encode(name, due or datetime.now(UTC))
        response = self.targets[name].test_client().post("/", headers=headers)
        return int(response.status_code)

    # Background workers ---------------------------------------------------

    def start(self, schedules: bool = True) -> None:
        from providers.local import events

        self._unsubscribe = events.subscribe(self.events.put)
        self._spawn(self._event_worker)
        if schedules and self.app.schedule_functions():
            self._spawn(self._schedule_worker)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._stopping.set()
        self.events.put(None)
        for thread in self._threads:
            thread.join(timeout=5)

    def _spawn(self, work: Callable[[], None]) -> None:
        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _event_worker(self) -> None:
        while not self._stopping.is_set():
            event = self.events.get()
            if event is None:
                return
            for name, status in self.deliver_object_event(event):
                log.info("object event delivered", function=name, key=event.key, kind=event.kind, status=status)

    def _schedule_worker(self) -> None:
        from providers.local.scheduler import LocalScheduler

        scheduler = LocalScheduler(
            ((spec.name, spec.trigger.schedule) for spec in self.app.schedule_functions()),
            self._fire_and_log,
        )
        while True:
            due = scheduler.next_due()
            if due is None:
                return
            # Wake at least every second, so that stop() is honoured promptly.
            if self._stopping.wait(min(1.0, max(0.0, (due - datetime.now(UTC)).total_seconds()))):
                return
            scheduler.fire_due()

    def _fire_and_log(self, name: str, due: datetime) -> None:
        status = self.fire_schedule(name, due)
        log.info("schedule fired", function=name, due=due.isoformat(), status=status)
