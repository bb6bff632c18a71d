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
import time
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
from portable.limits import REQUEST_BODY_MAX_BYTES
from portable.loading import load_app
from portable.replies import HttpReply, preflight_reply, unauthorized, unrouted, with_cors
from portable.request import Headers
from portable.schedule_trigger import ScheduleTrigger, schedule_firing
from portable.suggestions import did_you_mean
from portable.triggers import codec_name
from providers.binding import client_factory
from providers.gcp.http_codec import USERINFO_HEADER, userinfo_of_token
from providers.local.access import LOOPBACK_ONLY, PREFIX, ControlAccess
from providers.local.console import Console, timed_http
from providers.local.control import Control
from providers.local.dead_letters import DeadLetter, DeadLetters
from providers.local.deliverer import Answer, Deliverer, Outcome, PolicyFor, default_policy, faster
from providers.local.delivery_queue import DeliveryQueue
from providers.local.events import LocalEvent
from providers.local.http_codec import request_path
from providers.local.sqlite_files import local_dir
from providers.local.tokens import DevIssuer, TokenRefused, bearer_token
from providers.local.wsgi import Environ, Refused, StartResponse, buffered_body, call, environ_headers, error, send
from providers.paths import MAIN_PY

if TYPE_CHECKING:
    from portable.messaging import Body
    from providers.local.scheduler import LocalScheduler

# An attempt that runs this much past its function's timeout is presumed lost (the clouds would have ended it).
LEASE_GRACE_SECONDS = 30
WORKERS = 4
USERINFO_ENVIRON = "HTTP_" + USERINFO_HEADER.upper().replace("-", "_")
# Events wait while HTTP calls are answered, and until none has come for this long.
QUIET_SECONDS = 0.02


class LocalApp:
    """A WSGI app serving every HTTP route, plus workers for object events and schedules.

    `policy_for(spec)` gives each event function its attempts and backoff (its kind's `policy`). The runner counts
    attempts and keeps dead letters itself; `counts_attempts=False` leaves the end of an event's retries to the
    GCP shim where GCP counts no attempts (Eventarc), as on GCP (the test kit's gcp target). `fast_retries` waits
    1 s, doubling, between attempts in place of each policy's backoff (`portable dev --fast-retries`). `control`
    says who may call the control endpoints under /__portable/.
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
        control: ControlAccess = LOOPBACK_ONLY,
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
        self._calls = 0  # HTTP calls being answered, which go before events
        self._last_call = float("-inf")  # when the latest began (monotonic)
        self._quiet = threading.Condition()
        self.deliverer = Deliverer(
            self.app, self.queue, self.letters, self.deliver, policy_for, workers, self.console, self.wait_for_calls
        )
        self.issuer = DevIssuer(root)
        self.access = control
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
        with self._quiet:
            self._calls += 1
            self._last_call = time.monotonic()
        try:
            return self._answer(environ, start_response)
        finally:
            with self._quiet:
                self._calls -= 1
                if not self._calls:
                    self._quiet.notify_all()

    def wait_for_calls(self, timeout: float) -> bool:
        """Wait, at most `timeout` seconds, until no HTTP call is being answered and none has come for QUIET_SECONDS
        (clients calling one after another leave gaps between their calls); whether it is so quiet."""
        deadline = time.monotonic() + timeout
        with self._quiet:
            while True:
                now = time.monotonic()
                quiet_from = self._last_call + QUIET_SECONDS
                if not self._calls and now >= quiet_from:
                    return True
                if now >= deadline:
                    return False
                self._quiet.wait(min(deadline, max(quiet_from, now + 0.001)) - now)

    def _answer(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if path.startswith(PREFIX):
            return self.control(environ, start_response)
        started = time.perf_counter()
        environ.pop(USERINFO_ENVIRON, None)  # only the runner, as the gateway, may say who the caller is
        headers = environ_headers(environ)
        answered = self._gateway(environ, headers)
        if isinstance(answered, str):  # the GCP shim adds the CORS headers, as behind API Gateway
            return timed_http(self.console, self.targets[answered], answered, environ, start_response)
        reply = (
            answered
            if is_preflight(environ.get("REQUEST_METHOD", "GET"), headers)
            else with_cors(self.app.cors, headers.get("origin"), answered)
        )
        self.console.own_reply("runner", environ, reply, time.perf_counter() - started)
        return send(start_response, reply)

    def _gateway(self, environ: Environ, headers: Headers) -> str | HttpReply:
        """What API Gateway does before a function runs: the name of the function to call, with the body read and
        the caller's claims in place; or the reply it gives itself (a preflight's, 401, 404, 405, 408)."""
        method = environ.get("REQUEST_METHOD", "GET")
        cors = self.app.cors
        if cors is not None and is_preflight(method, headers):
            return preflight_reply(cors, headers, new_request_id())
        shown = request_path(environ)
        spec, allowed = http_trigger.route(self.app, method, environ.get("PATH_INFO") or "/")
        if spec is None:
            suggestion = "" if allowed else self._similar_route(method, shown)
            return unrouted(method, shown, allowed, new_request_id(), suggestion)
        if spec.trigger.auth is not None:
            try:
                token = bearer_token(headers.get("authorization"))
                self.issuer.verify(token, spec.trigger.auth)
            except TokenRefused as exc:
                return unauthorized(str(exc), new_request_id())
            environ[USERINFO_ENVIRON] = userinfo_of_token(token)
        try:
            buffered_body(environ, REQUEST_BODY_MAX_BYTES)
        except Refused as exc:
            reply = error(exc.status, str(exc))
            reply.headers.add("Connection", "close")
            return reply
        return spec.name

    # Events ---------------------------------------------------------------

    def deliver(self, function: str, event: LocalEvent) -> Answer:
        """Call `function` with `event` as GCP delivers its kind (Eventarc, Cloud Scheduler, a Pub/Sub push
        subscription: its GCP codec's `encode`); what it answered."""
        import importlib

        from providers.gcp.runtime import dead_lettered

        spec = self.app.functions[function]
        method, path, headers, body = importlib.import_module(codec_name("gcp", spec.kind)).encode(event, spec)
        with self.console.showing_metrics(function):
            status, answered_headers, text = call(self.targets[function], method, path, headers, body)
        return Answer(status, text, dead_lettered(status, answered_headers))

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
