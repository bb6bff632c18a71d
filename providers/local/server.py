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
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from providers.local.load_failure import FailedApp, LoadFailure, in_app
from providers.local.sqlite_files import local_dir
from providers.local.startup import banner, warnings
from providers.local.wsgi import Environ, StartResponse
from providers.paths import PROJECT_ROOT

if TYPE_CHECKING:
    from providers.local.runner import LocalApp

# How long a stopping server waits for HTTP calls in flight, past the longest HTTP timeout of the App.
DRAIN_GRACE_SECONDS = 5


class InFlight:
    """WSGI middleware counting the requests not yet answered in full, so that a stopping server lets them finish."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._count = 0
        self._idle = threading.Condition()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        from werkzeug.wsgi import ClosingIterator

        with self._idle:
            self._count += 1
        try:
            body = self.app(environ, start_response)
        except BaseException:
            self._done()
            raise
        return ClosingIterator(body, self._done)

    def _done(self) -> None:
        with self._idle:
            self._count -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Whether every request was answered within `timeout` seconds."""
        with self._idle:
            return self._idle.wait_for(lambda: self._count == 0, timeout)


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
    fast_retries: bool = False,
    listen_fd: int | None = None,
    report_fd: int | None = None,
    lifeline_fd: int | None = None,
    schedules_since: datetime | None = None,
) -> int:
    """Serve until SIGTERM or Ctrl-C. Alone, an App that cannot load ends it (exit 2); under the reloader it is
    shown on every call until a change loads."""
    from werkzeug.serving import make_server

    from providers.local.runner import LocalApp

    report = Report(open(report_fd, "w", encoding="utf-8") if report_fd is not None else None)  # noqa: SIM115
    local: LocalApp | None = None
    try:
        local = LocalApp(package, debug=debug, fast_retries=fast_retries)
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
    counted = InFlight(local if local is not None else _failed_app(failure))
    server = make_server(host, port, counted, threaded=True, fd=listen_fd, request_handler=quiet_handler())
    # `kill` stops the server as Ctrl-C does, so that it finishes its calls and withdraws its address.
    signal.signal(signal.SIGTERM, _interrupted)
    if lifeline_fd is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the reloader too, which stops this process
        stop_with_reloader(lifeline_fd)
    url = f"http://{url_host(host)}:{server.port}"
    if local is not None:
        local.start(schedules=schedules, schedules_since=schedules_since)
        print(banner(local.app, url, fast_retries), file=sys.stderr, flush=True)
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


def _failed_app(failure: LoadFailure) -> FailedApp:
    from providers.local.control import while_failed

    return FailedApp(failure, partial(while_failed, failure.record()))


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


def quiet_handler() -> Any:
    """Werkzeug's request handler without its access log: the runner's console has a line per invocation."""
    from werkzeug.serving import WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            pass

        def handle_expect_100(self) -> bool:
            return True  # Werkzeug sends the `100 Continue` itself, once

    return QuietHandler


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
