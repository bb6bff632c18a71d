"""`python -m providers.local`: serve the whole App on this machine (what `./dev serve` runs)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from typing import TYPE_CHECKING

from portable.errors import NotFound, PortableError
from providers.local.sqlite_files import local_dir

if TYPE_CHECKING:
    from portable.app import App
    from providers.local.delivery import Outcome
    from providers.local.runner import LocalApp


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m providers.local", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080; 0 picks a free one)")
    parser.add_argument("--package", default="functions", help="the package holding the App (default functions)")
    parser.add_argument("--no-schedules", action="store_true", help="do not fire schedules on their own")
    parser.add_argument("--fire", metavar="NAME", help="fire schedule NAME once, print the outcome and exit")
    parser.add_argument("--dead-letters", action="store_true", help="print the dead letters, one JSON line each")
    parser.add_argument("--replay", metavar="FUNCTION/ID", help="queue a dead letter's event again and exit")
    args = parser.parse_args(argv)

    if args.dead_letters:
        from providers.local.dead_letters import DeadLetters

        for letter in DeadLetters(local_dir()).all():
            print(json.dumps(letter.record(), ensure_ascii=False))
        return 0

    from providers.local.runner import LocalApp

    try:
        local = LocalApp(args.package)
    except PortableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.replay:
        return _replay(local, args.replay)
    if args.fire:
        return _fire(local, args.fire)
    _serve(local, args.host, args.port, schedules=not args.no_schedules)
    return 0


def _replay(local: LocalApp, name: str) -> int:
    function, _, letter_id = name.partition("/")
    try:
        letter = local.replay(function, letter_id)
    except (NotFound, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{name}: queued again as event {letter.event.id}; the runner delivers it")
    return 0


def _fire(local: LocalApp, name: str) -> int:
    if name not in {spec.name for spec in local.app.schedule_functions()}:
        known = ", ".join(spec.name for spec in local.app.schedule_functions()) or "none"
        print(f"error: no schedule named {name!r}; schedules: {known}", file=sys.stderr)
        return 2
    outcome = local.fire_schedule(name)
    print(f"{name}: {_described(outcome)}")
    return 0 if outcome.state == "delivered" else 1


def _described(outcome: Outcome) -> str:
    later = "the runner serving this state directory"
    if outcome.state == "queued":
        return f"this firing is queued already; {later} delivers it"
    status = f"HTTP {outcome.status}" if outcome.status is not None else "not reached"
    if outcome.state == "retrying":
        return f"{status}, retrying: {later} tries again in {outcome.retry_in:g} s"
    return f"{status}, {outcome.state}" + (f": {outcome.error}" if outcome.error else "")


def banner(app: App, url: str) -> str:
    """What the runner serves, said once at start: routes, buckets, tables, schedules and messages, one kind a
    line."""
    def listed(names: list[str]) -> str:
        return ", ".join(names) or "none"

    routes = [f"{spec.trigger.route.key} -> {spec.name}" for spec in app.http_functions()]
    schedules = [f"{spec.name} ({spec.trigger.schedule.describe()})" for spec in app.schedule_functions()]
    return "\n".join([
        f"Portable local: {url}",
        f"  routes:    {listed(routes)}",
        f"  buckets:   {listed(app.buckets)}",
        f"  tables:    {listed(app.tables)}",
        f"  schedules: {listed(schedules)}",
        f"  messages:  {listed(message_sources(app))}",
    ])


def message_sources(app: App) -> list[str]:
    """Each queue and topic with the functions that receive its messages."""
    return [f"{name} ({kind}) -> {', '.join(spec.name for spec in app.message_functions(name)) or 'none'}"
            for kind, names in (("queue", app.queues), ("topic", app.topics)) for name in names]


def _serve(local: LocalApp, host: str, port: int, *, schedules: bool) -> None:
    from werkzeug.serving import make_server

    from providers.local import signed_urls

    server = make_server(host, port, local, threaded=True)
    # `kill` stops the server as Ctrl-C does, so that it withdraws its address from the state directory.
    signal.signal(signal.SIGTERM, _interrupted)
    url = f"http://{_url_host(host)}:{server.port}"
    local.start(schedules=schedules)
    print(banner(local.app, url), file=sys.stderr, flush=True)
    with signed_urls.served_at(local_dir(), url):
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
            local.stop()


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _url_host(host: str) -> str:
    """How a URL names the listening address: a wildcard address by the loopback one, IPv6 in brackets."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


if __name__ == "__main__":
    sys.exit(main())
