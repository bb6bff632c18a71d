"""`python -m providers.local`: serve the whole App on this machine (what `./dev serve` runs)."""

from __future__ import annotations

import argparse
import sys

from portable.errors import PortableError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m providers.local", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    parser.add_argument("--no-schedules", action="store_true", help="do not fire schedules on their own")
    parser.add_argument("--fire", metavar="NAME", help="fire schedule NAME once, print the status and exit")
    args = parser.parse_args(argv)

    from providers.local.runner import LocalApp

    try:
        local = LocalApp()
    except PortableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.fire:
        if args.fire not in {spec.name for spec in local.app.schedule_functions()}:
            known = ", ".join(spec.name for spec in local.app.schedule_functions()) or "none"
            print(f"error: no schedule named {args.fire!r}; schedules: {known}", file=sys.stderr)
            return 2
        status = local.fire_schedule(args.fire)
        print(f"{args.fire}: HTTP {status}")
        return 0 if status < 300 else 1

    from werkzeug.serving import run_simple

    local.start(schedules=not args.no_schedules)
    routes = ", ".join(spec.trigger.route.key for spec in local.app.http_functions())
    print(f"Portable local: http://{args.host}:{args.port}  routes: {routes or 'none'}", file=sys.stderr)
    try:
        run_simple(args.host, args.port, local, threaded=True)
    finally:
        local.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
