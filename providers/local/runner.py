"""The whole App on one machine, through the GCP shim under functions-framework.

Every function gets its own functions-framework app built from `main.py`, as Cloud
Functions gen2 builds it, serving the package on local data without a word in the
process environment. HTTP requests are routed to the function whose route matches.
The runner stands where API Gateway stands: it answers CORS preflights, and verifies the
token of a route declared with `auth=` (providers/local/tokens.py), forwarding its claims
to the GCP shim in the header API Gateway on GCP uses, or answering 401.
Events (object events, firings, messages, table changes) go through a durable queue in the
state directory and are delivered at least once, with retries and dead letters
(providers/local/deliverer.py), each as GCP delivers its kind (its GCP codec's `encode`): object
events and table changes as Eventarc's CloudEvents, firings as Cloud Scheduler's calls, messages as
Pub/Sub's pushes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from portable import http_trigger, log
from portable.app import App, FunctionSpec
from portable.context import using_clients
from portable.cors_policy import is_preflight
from portable.delivery import new_request_id
from portable.errors import BackendError, NotFound
from portable.loading import load_app
from portable.replies import preflight_reply, unauthorized, unrouted, with_cors
from portable.request import Headers
from portable.schedule_trigger import ScheduleTrigger, schedule_firing
from portable.suggestions import did_you_mean
from portable.triggers import codec_name
from providers.binding import client_factory
from providers.gcp.http_codec import USERINFO_HEADER, userinfo_of_token
from providers.local.console import Console, timed_http
from providers.local.control import PREFIX, Control
from providers.local.dead_letters import DeadLetter, DeadLetters
from providers.local.deliverer import Answer, Deliverer, Outcome, PolicyFor, default_policy, faster
from providers.local.delivery_queue import DeliveryQueue
from providers.local.events import LocalEvent
from providers.local.sqlite_files import local_dir
from providers.local.tokens import DevIssuer, TokenRefused, bearer_token
from providers.local.wsgi import Environ, StartResponse, send
from providers.paths import MAIN_PY

if TYPE_CHECKING:
    from portable.messaging import Body
    from providers.local.scheduler import LocalScheduler

# An attempt that runs this much past its function's timeout is presumed lost (the clouds would have ended it).
LEASE_GRACE_SECONDS = 30
WORKERS = 4
USERINFO_ENVIRON = "HTTP_" + USERINFO_HEADER.upper().replace("-", "_")


class LocalApp:
    """A WSGI app serving every HTTP route, plus workers for object events and schedules.

    `policy_for(spec)` gives each event function its attempts and backoff (its kind's `policy`). The runner counts
    attempts and keeps dead letters itself; `counts_attempts=False` leaves the end of an event's retries to the
    GCP shim where GCP counts no attempts (Eventarc), as on GCP (the test kit's gcp target). `fast_retries` waits
    1 s, doubling, between attempts in place of each policy's backoff (`portable dev --fast-retries`).
    """

    def __init__(
        self,
        package: str = "functions",
        source: Path | None = None,
        *,
        policy_for: PolicyFor = default_policy,
        workers: int = WORKERS,
        debug: bool = False,
        counts_attempts: bool = True,
        fast_retries: bool = False,
    ) -> None:
        import functions_framework

        from providers.gcp import runtime

        self.app: App = load_app(package)
        source_file = str(source or MAIN_PY)
        with runtime.exporting(package, "local", debug, counts_attempts):
            self.targets = {
                name: functions_framework.create_app(target=name, source=source_file)  # type: ignore[no-untyped-call]
                for name in self.app.functions
            }
        root = local_dir()
        self.fast_retries = fast_retries
        if fast_retries:
            policy_for = faster(policy_for)
        self.console = Console()
        self.queue = DeliveryQueue(root, self._lease_seconds)
        self.letters = DeadLetters(root)
        self.deliverer = Deliverer(self.app, self.queue, self.letters, self.deliver, policy_for, workers, self.console)
        self.issuer = DevIssuer(root)
        self.control = Control(self)
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._scheduler: LocalScheduler | None = None

    # HTTP -----------------------------------------------------------------

    def route(self, method: str, path: str) -> tuple[FunctionSpec | None, list[str]]:
        """The function serving (method, path) as the clouds' gateways choose it, else None and the methods the
        path allows."""
        return http_trigger.route(self.app, method, path)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        if path.startswith(PREFIX):
            return self.control(environ, start_response)
        environ.pop(USERINFO_ENVIRON, None)  # only the runner, as the gateway, may say who the caller is
        headers = Headers(
            (key[5:].replace("_", "-"), value) for key, value in environ.items() if key.startswith("HTTP_")
        )
        cors = self.app.cors
        if cors is not None and is_preflight(method, headers):
            return send(start_response, preflight_reply(cors, headers, new_request_id()))
        spec, allowed = http_trigger.route(self.app, method, path)
        if spec is not None and spec.trigger.auth is not None:
            try:
                token = bearer_token(headers.get("authorization"))
                self.issuer.verify(token, spec.trigger.auth)
            except TokenRefused as exc:
                return send(
                    start_response, with_cors(cors, headers.get("origin"), unauthorized(str(exc), new_request_id()))
                )
            environ[USERINFO_ENVIRON] = userinfo_of_token(token)
        if spec is not None:  # the GCP shim adds the CORS headers, as behind API Gateway
            return timed_http(self.console, self.targets[spec.name], spec.name, environ, start_response)
        suggestion = "" if allowed else self._similar_route(method, path)
        reply = unrouted(method, path, allowed, new_request_id(), suggestion)
        return send(start_response, with_cors(cors, headers.get("origin"), reply))

    # Events ---------------------------------------------------------------

    def deliver(self, function: str, event: LocalEvent) -> Answer:
        """Call `function` with `event` as GCP delivers its kind (Eventarc, Cloud Scheduler, a Pub/Sub push
        subscription: its GCP codec's `encode`); what it answered."""
        import importlib

        from providers.gcp.runtime import dead_lettered

        spec = self.app.functions[function]
        method, path, headers, body = importlib.import_module(codec_name("gcp", spec.kind)).encode(event, spec)
        response = self.targets[function].test_client().open(path, method=method, headers=headers, data=body)
        status = response.status_code
        return Answer(status, response.get_data(as_text=True), dead_lettered(status, response.headers))

    def fire_schedule(self, name: str, due: datetime | None = None) -> Outcome:
        """Queue the firing of schedule `name` due at `due` (default: now) and make its first attempt now.

        Failed attempts are retried by the workers of whichever runner serves the state directory.
        """
        event = schedule_firing(name, due or datetime.now(UTC).replace(microsecond=0))
        delivery = self.queue.add_taken(name, event)
        if delivery is None:
            return Outcome(event.id, "queued")
        return self.deliverer.attempt(delivery)

    def replay(self, function: str, letter_id: str, body: bytes | None = None) -> DeadLetter:
        """Queue a dead letter's event again for its function (same event id, attempts anew; a message with `body`
        in place of its own, if given) and remove the letter."""
        if function not in self.app.functions:
            raise NotFound("dead letters", f"no function named {function!r} in the App")
        return self.letters.replay(function, letter_id, self.queue, body)

    def send_message(self, kind: str, name: str, body: Body, attributes: Mapping[str, str]) -> str:
        """Send `body` to the App's queue `name` (`kind` queue), or publish it to its topic, as a function would;
        the message's id. The relay delivers it."""
        from portable.messaging import Queue, Topic

        with using_clients(client_factory("local")):
            if kind == "queue":
                return Queue(name, delays=name in self.app.delayed_queues).send(body, attributes)
            return Topic(name).publish(body, attributes)

    def _similar_route(self, method: str, path: str) -> str:
        """`; did you mean ...` naming the route nearest to (method, path), for a local 404."""
        routes = [spec.trigger.route for spec in http_trigger.functions(self.app)]

        def key(nearest: str) -> str:
            alike = [route for route in routes if route.path == nearest]
            return repr(next((route for route in alike if route.method == method), alike[0]).key)

        return did_you_mean(path, {route.path for route in routes}, key)

    def _lease_seconds(self, function: str) -> float:
        spec = self.app.functions.get(function)
        return (spec.timeout_seconds if spec else 60) + LEASE_GRACE_SECONDS

    # Background workers ---------------------------------------------------

    def start(self, schedules: bool = True, schedules_since: datetime | None = None) -> None:
        """Start the workers and, with `schedules`, fire each schedule at its times after `schedules_since`
        (default: now); a time already past fires at once, the latest one only, as after a sleeping laptop."""
        self.deliverer.start()
        if schedules and self.app.functions_of(ScheduleTrigger):
            from providers.local.scheduler import LocalScheduler

            self._scheduler = LocalScheduler(
                ((spec.name, spec.trigger.schedule) for spec in self.app.functions_of(ScheduleTrigger)),
                self._queue_firing,
                schedules_since,
            )
            thread = threading.Thread(target=self._schedule_worker, args=(self._scheduler,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop_schedules(self) -> datetime:
        """Stop firing schedules; the instant through which every firing due is queued (for the next runner)."""
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=5)
        through = datetime.now(UTC)
        if self._scheduler is not None:
            self._scheduler.fire_due(through)
        return through

    def stop(self) -> None:
        self.stop_schedules()
        self.deliverer.stop()

    def _schedule_worker(self, scheduler: LocalScheduler) -> None:
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
