"""One process serving the App over HTTP: the runner, or while the App cannot load, its error page.

Alone (`--no-reload`) it binds its own address. Under the reloader (providers/local/reloader.py)
it serves on the listening socket the reloader holds, and when asked to stop (its lifeline pipe
closes) it stops taking requests, events and schedule firings, says on its report pipe through
which instant it fired the schedules, finishes the HTTP calls in flight and exits; the
reloader's next process takes over from the same socket and the durable queue.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from providers.local.access import ControlAccess
from providers.local.load_failure import FailedApp, LoadFailure, in_app, remember_cors, remembered_cors
from providers.local.sqlite_files import local_dir
from providers.local.startup import banner, warnings
from providers.local.wsgi import BODY_TIMEOUT_SECONDS
from providers.paths import PROJECT_ROOT

if TYPE_CHECKING:
    from werkzeug.serving import BaseWSGIServer

    from providers.local.runner import LocalApp

# How long a thread holds the GIL while another waits for it (Python's default is 5 ms): a call waiting to go on
# after SQLite or the socket gets its turn sooner, though delivery workers and image work keep the CPU busy.
SWITCH_INTERVAL_SECONDS = 0.001
# How long a stopping server waits for HTTP calls in flight, past the longest HTTP timeout of the App.
DRAIN_GRACE_SECONDS = 5
# The token of the control endpoints under `--expose-control`: the reloader makes one and hands it to each server
# it starts in this variable, which the server takes out of its environment, so that it stays the same across reloads.
CONTROL_TOKEN_VARIABLE = "PORTABLE_CONTROL_TOKEN"


class InFlight:
    """The requests being answered, so that a stopping server lets them finish.

    The server's request handler counts each exchange as a whole, so that a connection the client resets while it
    is answered (werkzeug then raises past the app's own clean-up) is done all the same and never holds a stop.
    """

    def __init__(self) -> None:
        self._count = 0
        self._idle = threading.Condition()

    @contextmanager
    def counted(self) -> Iterator[None]:
        with self._idle:
            self._count += 1
        try:
            yield
        finally:
            with self._idle:
                self._count -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Whether every request was answered within `timeout` seconds."""
        with self._idle:
            return self._idle.wait_for(lambda: self._count == 0, timeout)


def http_server(
    host: str,
    port: int,
    app: Any,
    in_flight: InFlight,
    *,
    fd: int | None = None,
    timeout: float = BODY_TIMEOUT_SECONDS,
) -> BaseWSGIServer:
    """A threaded werkzeug server for `app` on `host:port`, or on the listening socket `fd` (which it takes over):
    each request is counted in `in_flight`, and a connection waits at most `timeout` seconds for the client."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Handler(WSGIRequestHandler):
        def run_wsgi(self) -> None:
            with in_flight.counted():
                super().run_wsgi()

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            pass  # the runner's console has a line per call

        def handle_expect_100(self) -> bool:
            return True  # Werkzeug sends the `100 Continue` itself, once

    Handler.timeout = timeout
    server = make_server(host, port, app, threaded=True, fd=fd, request_handler=Handler)
    if fd is not None:
        os.close(fd)  # werkzeug serves on a duplicate: the inherited one would keep the port open after a stop
    return server


class Report:
    """The pipe on which a served process tells the reloader what it hands over."""

    def __init__(self, pipe: IO[str] | None) -> None:
        self.pipe = pipe

    def say(self, **fields: Any) -> None:
        if self.pipe is None:
            return
        try:
            self.pipe.write(json.dumps(fields) + "\n")
            self.pipe.flush()
        except OSError:  # the reloader is gone; this process stops on its own
            self.pipe = None


def stop_with_reloader(lifeline_fd: int) -> None:
    """Stop this process, as SIGTERM does, once the reloader has gone (however it went, `kill -9` included): the
    reloader holds the other end of `lifeline_fd`, which reads end-of-file when it exits."""

    def watch() -> None:
        with open(lifeline_fd, "rb") as lifeline:
            lifeline.read()
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True).start()


def serve(
    host: str,
    port: int,
    *,
    package: str,
    schedules: bool,
    debug: bool,
    expose_control: bool = False,
    fast_retries: bool = False,
    listen_fd: int | None = None,
    report_fd: int | None = None,
    lifeline_fd: int | None = None,
    schedules_since: datetime | None = None,
) -> int:
    """Serve until SIGTERM or Ctrl-C. Alone, an App that cannot load ends it (exit 2); under the reloader it is
    shown on every call until a change loads."""
    from providers.local.runner import LocalApp

    report = Report(open(report_fd, "w", encoding="utf-8") if report_fd is not None else None)  # noqa: SIM115
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    access = ControlAccess.for_host(host, expose_control, os.environ.pop(CONTROL_TOKEN_VARIABLE, None))
    local: LocalApp | None = None
    try:
        local = LocalApp(package, debug=debug, fast_retries=fast_retries, control=access)
    except (Exception, SystemExit) as exc:  # whatever importing the App raised, a module's sys.exit() included
        if listen_fd is None:
            print(f"error: {LoadFailure.of(exc).summary()}", file=sys.stderr)
            return 2
        failure = LoadFailure.of(exc)
        print(failure.traceback, file=sys.stderr, end="")
        print(
            f"Portable local: the app failed to load: {failure.summary()}\n  every call answers this error "
            "(the dashboard shows it) until you fix it and save",
            file=sys.stderr,
            flush=True,
        )
        report.say(watch=app_files(failure.file))
    else:
        report.say(watch=app_files())
    if local is not None:
        remember_cors(local_dir(), local.app.cors)
    counted = InFlight()
    app = local if local is not None else _failed_app(failure, access)
    server = http_server(host, port, app, counted, fd=listen_fd)
    # `kill` stops the server as Ctrl-C does, so that it finishes its calls and withdraws its address.
    signal.signal(signal.SIGTERM, _interrupted)
    if lifeline_fd is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the reloader too, which stops this process
        stop_with_reloader(lifeline_fd)
    url = f"http://{url_host(host)}:{server.port}"
    if local is not None:
        local.start(schedules=schedules, schedules_since=schedules_since)
        print(banner(local.app, url, fast_retries, access), file=sys.stderr, flush=True)
        for warning in warnings(local.app):
            print(warning, file=sys.stderr, flush=True)
    try:
        with _announced(url, alone=listen_fd is None):
            server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # stopping already: finish the calls in flight
        server.server_close()
        _stop(local, counted, report, schedules_since)
    return 0


def _failed_app(failure: LoadFailure, access: ControlAccess) -> FailedApp:
    """What answers while the App cannot load: the error, by the CORS policy of the last App that loaded, and the
    dashboard showing it to the callers `access` lets in."""
    from providers.local.console import Console
    from providers.local.control import while_failed

    return FailedApp(failure, remembered_cors(local_dir()), partial(while_failed, failure.record(), access), Console())


def app_files(failed: str | None = None, root: Path = PROJECT_ROOT) -> list[str]:
    """The app's own Python files this process has imported (and `failed`, the one whose import failed), for the
    reloader to watch: inside the project, outside virtualenvs, installed packages and the framework."""
    found = {str(path) for path in map(_module_file, list(sys.modules.values())) if path and in_app(path, root)}
    if failed is not None and in_app(root / failed, root):
        found.add(str((root / failed).resolve()))
    return sorted(found)


def _module_file(module: object) -> Path | None:
    file = getattr(module, "__file__", None)
    return Path(file).resolve() if isinstance(file, str) and file.endswith(".py") else None


def _stop(local: LocalApp | None, counted: InFlight, report: Report, schedules_since: datetime | None) -> None:
    through = local.stop_schedules() if local is not None else schedules_since
    report.say(released=through.isoformat() if through else None)
    if local is None:
        return
    local.console.close()  # the dashboards' log streams end, and their pages reconnect to the next process
    local.deliverer.stop()
    from portable.http_trigger import functions

    longest = max((spec.timeout_seconds for spec in functions(local.app)), default=0)
    if not counted.wait_idle(longest + DRAIN_GRACE_SECONDS):
        print("Portable local: stopped with HTTP calls still unanswered", file=sys.stderr, flush=True)


def _announced(url: str, *, alone: bool) -> AbstractContextManager[None]:
    """Alone, the process says where signed URLs point; under the reloader, the reloader does, once."""
    from providers.local import signed_urls

    return signed_urls.served_at(local_dir(), url) if alone else nullcontext()


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def url_host(host: str) -> str:
    """How a URL names the listening address: a wildcard address by the loopback one, IPv6 in brackets."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host
