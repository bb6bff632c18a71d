"""`python -m providers.local`: serve the whole App on this machine (what `./dev serve` and `portable dev` run).

By default a reloader serves it in a child process and starts a new one on every change to
the app's Python files (providers/local/reloader.py); `--no-reload` serves in this process.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from portable.errors import PortableError

if TYPE_CHECKING:
    from providers.local.deliverer import Outcome


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m providers.local", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--expose-control",
        action="store_true",
        help="with --host beyond this machine, serve the control endpoints (/__portable/) to callers that send the "
        "token printed at start; without it they are off there",
    )
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080; 0 picks a free one)")
    parser.add_argument("--package", default="functions", help="the package holding the App (default functions)")
    parser.add_argument("--no-schedules", action="store_true", help="do not fire schedules on their own")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="put the exception's type, message and traceback in 500 replies (the `debug` field)",
    )
    parser.add_argument(
        "--no-reload", action="store_true", help="serve in this process, and do not reload when the code changes"
    )
    parser.add_argument(
        "--fast-retries",
        action="store_true",
        help="wait 1 s before an event's second attempt, doubling after, in place of its policy's backoff (the "
        "same number of attempts): a poison message reaches the dead letters in 15 s, not 150",
    )
    parser.add_argument("--fire", metavar="NAME", help="fire schedule NAME once, print the outcome and exit")
    # Set by the reloader on the process it serves in.
    parser.add_argument("--listen-fd", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--report-fd", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--lifeline-fd", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--schedules-since", type=datetime.fromisoformat, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)

    from providers.paths import no_project_here

    missing = no_project_here("`portable dev`")
    if missing is not None:
        print(f"error: {missing}", file=sys.stderr)
        return 2
    if args.fire:
        return _fire(args.package, args.fire)
    if args.listen_fd is None and not args.no_reload:
        from providers.local.reloader import Reloader

        options = {"--no-schedules": args.no_schedules, "--debug": args.debug, "--fast-retries": args.fast_retries}
        served = ["--package", args.package, *(option for option, given in options.items() if given)]
        return Reloader(args.host, args.port, served, package=args.package, expose_control=args.expose_control).run()

    from providers.local.server import serve

    return serve(
        args.host,
        args.port,
        package=args.package,
        schedules=not args.no_schedules,
        debug=args.debug,
        expose_control=args.expose_control,
        fast_retries=args.fast_retries,
        listen_fd=args.listen_fd,
        report_fd=args.report_fd,
        lifeline_fd=args.lifeline_fd,
        schedules_since=args.schedules_since,
    )


def _fire(package: str, name: str) -> int:
    from portable.schedule_trigger import ScheduleTrigger
    from portable.suggestions import did_you_mean
    from providers.local.runner import LocalApp

    try:
        local = LocalApp(package)
    except PortableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    schedules = [spec.name for spec in local.app.functions_of(ScheduleTrigger)]
    if name not in schedules:
        print(
            f"error: no schedule named {name!r}{did_you_mean(name, schedules)}; schedules: "
            f"{', '.join(schedules) or 'none'}",
            file=sys.stderr,
        )
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


if __name__ == "__main__":
    sys.exit(main())
