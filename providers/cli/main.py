"""The `portable` command. `portable COMMAND --help` says more about each command."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from portable.errors import PortableError

DESCRIPTION = "Portable: serverless handlers written once, run locally, deployed to AWS or GCP."
CLOUDS = ("aws", "gcp")


class Parser(argparse.ArgumentParser):
    """argparse's parser, whose refusal of an unknown option or command suggests the nearest known one."""

    def error(self, message: str) -> NoReturn:
        from portable.suggestions import did_you_mean

        unknown = message.removeprefix("unrecognized arguments: ").split()
        if message.startswith("unrecognized arguments: ") and unknown[0].startswith("-"):
            message += did_you_mean(unknown[0].partition("=")[0], _option_strings(self))
        elif message.startswith("argument ") and "invalid choice: " in message:
            chosen = message.partition("invalid choice: ")[2].partition(" ")[0].strip("'")
            message += did_you_mean(chosen, _choices(self))
        super().error(message)


def _option_strings(parser: argparse.ArgumentParser) -> set[str]:
    """Every option of `parser` and of its commands, at any depth."""
    found = {option for action in parser._actions for option in action.option_strings}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                found |= _option_strings(command)
    return found


def _choices(parser: argparse.ArgumentParser) -> set[str]:
    return {str(choice) for action in parser._actions if action.choices for choice in action.choices}


def parser() -> argparse.ArgumentParser:
    root = Parser(prog="portable", description=DESCRIPTION)
    root.add_argument("--version", action="version", version=f"portable {_version()}")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    new = commands.add_parser(
        "new",
        help="create a new app in DIR",
        description="Create a new app in DIR (which must not exist, or be empty): a hello function and its test, "
        "the Pulumi project and its aws and gcp stacks, main.py and __main__.py, requirements pinned to this "
        "framework, and ./dev, whose `./dev serve` and `./dev test` set up .venv and serve or test the app.",
    )
    new.add_argument("directory", type=Path, metavar="DIR")
    new.set_defaults(run=_new)

    dev = commands.add_parser(
        "dev",
        help="serve the app locally",
        description="Serve every function of the app in functions/ on this machine, through the GCP shim under "
        "functions-framework: HTTP routes, object events from the local buckets, schedules at their times, and "
        "the /__portable/ endpoints. Run it in the app's folder (the one holding Pulumi.yaml). When a Python file "
        "of the app changes, it reloads: calls in flight finish, queued events and schedule firings go to the new "
        "code; while the code does not load, every call answers the error (file, line, message).",
    )
    dev.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    dev.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    dev.add_argument(
        "--expose-control",
        action="store_true",
        help="with --host beyond this machine, serve /__portable/ to callers that send the token printed at "
        "start; without it, /__portable/ answers only this machine, and is off when --host is not loopback",
    )
    _state_option(dev)
    dev.add_argument("--no-schedules", action="store_true", help="do not fire schedules on their own")
    dev.add_argument(
        "--debug",
        action="store_true",
        help="put the exception's type, message and traceback in "
        "local 500 replies, as their `debug` field (never in the clouds)",
    )
    dev.add_argument("--no-reload", action="store_true", help="do not reload when the code changes")
    dev.add_argument(
        "--fast-retries",
        action="store_true",
        help="retry failed events 1 s after the first attempt, doubling, in place of their policy's backoff (the "
        "same number of attempts), so that a poison message is dead-lettered in seconds; the banner says so",
    )
    dev.set_defaults(run=_dev)

    invoke = commands.add_parser(
        "invoke",
        help="run one function through a cloud's shim",
        description="Run one function through the real AWS or GCP shim, on local data, and print the native "
        "reply. Without --event, the event is generated from the function's trigger in the shape the cloud "
        "publishes: on aws an API Gateway 2.0 event, an S3 notification, an EventBridge Scheduler event, an "
        "SQS batch (a topic's message in SNS's envelope) or a DynamoDB Streams batch; on gcp the request "
        "functions-framework receives: the HTTP call, a binary-mode Cloud Storage or Firestore CloudEvent, a "
        "Cloud Scheduler call or a Pub/Sub push. An auth= route is called as a signed-in caller with --subject "
        "(and --scopes, --claims), handed over as each cloud's gateway hands it. Exits 1 when the reply is a 4xx "
        "or 5xx, or the cloud would retry the event.",
    )
    invoke.add_argument("function", metavar="FUNCTION", help="the function's name")
    invoke.add_argument("--cloud", choices=CLOUDS, required=True, help="whose shim and event shape")
    invoke.add_argument(
        "--event",
        type=Path,
        metavar="FILE",
        help="the native event as JSON: on aws what Lambda receives; on gcp a structured-mode "
        'CloudEvent, or a request {"method", "path", "headers", "body"}',
    )
    invoke.add_argument("--path", help="HTTP: the path called (default: the route, each parameter its own name)")
    invoke.add_argument(
        "--body",
        help="HTTP: the request body (sent as application/json when it is JSON); "
        "messages: the message body (default {}); table changes: the item's new value (default {})",
    )
    invoke.add_argument(
        "--key",
        help="object events and table changes: the object's or item's key (default: 'example' within the "
        "trigger's prefix and suffix); a change's old value is the item stored under it",
    )
    invoke.add_argument(
        "--at",
        metavar="TIME",
        help="schedules: when the firing was due, e.g. 2026-11-28T02:00:00Z (default: this minute)",
    )
    invoke.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="HTTP: a request header (repeatable)",
    )
    invoke.add_argument(
        "--subject",
        metavar="WHO",
        help="HTTP, a route declared with auth=: call it as this signed-in caller (the token's `sub`)",
    )
    invoke.add_argument("--scopes", metavar="'A B'", help="with --subject: the caller's scopes, space-separated")
    invoke.add_argument(
        "--claims", metavar="JSON", help='with --subject: more claims, e.g. \'{"email": "ada@example.com"}\''
    )
    invoke.add_argument("--show-event", action="store_true", help="print the native event before the reply")
    _state_option(invoke)
    invoke.set_defaults(run=_invoke)

    preview = commands.add_parser(
        "preview",
        help="list what `pulumi up` would create, offline",
        description="Run the Pulumi program under Pulumi's mocks, with the stack's settings from "
        "Pulumi.<stack>.yaml, and print every resource `pulumi up` would create: type, name and settings. No "
        "cloud account, no pulumi CLI; the same checks and refusals as the real program (exit 1 with its "
        "message). Needs the deploy extra: pip install 'portable-serverless[deploy]'.",
    )
    preview.add_argument("--stack", required=True, help="the stack: aws or gcp (or another with portable:cloud)")
    preview.add_argument("--json", action="store_true", help="every resource with all its inputs, as JSON")
    preview.add_argument(
        "-c",
        "--config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a setting on top of the stack file's, e.g. -c gcp:project=my-project (repeatable)",
    )
    preview.set_defaults(run=_preview)

    openapi = commands.add_parser(
        "openapi",
        help="print the app's OpenAPI 3.1 document",
        description="Print the OpenAPI 3.1 document of the app's HTTP routes: every route with its path and query "
        "parameters, its request and reply schemas (from typed handlers), the portable error bodies (400, 401, "
        "413, 422, 500) and the security scheme of each jwt_auth (its issuer and audiences). With --stack, as "
        "that stack deploys it: its portable:jwtAuth issuers and its portable:domain (needs the deploy extra).",
    )
    openapi.add_argument("--stack", help="the stack whose settings apply: aws or gcp (or another with portable:cloud)")
    formats = openapi.add_mutually_exclusive_group()
    formats.add_argument("--json", action="store_true", help="JSON (the default)")
    formats.add_argument("--yaml", action="store_true", help="YAML")
    openapi.add_argument("-o", "--output", type=Path, metavar="FILE", help="write it to FILE instead of stdout")
    openapi.set_defaults(run=_openapi)

    client = commands.add_parser(
        "client",
        help="generate a typed Python client for the app's API",
        description="Generate a typed Python client for the app's HTTP routes, from its OpenAPI document, with "
        "openapi-python-client (the client extra: pip install 'portable-serverless[client]'). OUT_DIR becomes a "
        "project holding the package <app>_client; its functions take and return the typed handlers' models. "
        "Point its Client at the API's URL: http://127.0.0.1:8080 for portable dev, the stack's api_url output "
        "once deployed.",
    )
    client.add_argument("--python", type=Path, required=True, metavar="OUT_DIR", help="where the client goes")
    client.add_argument("--stack", help="the stack whose settings apply (see portable openapi)")
    client.set_defaults(run=_client)

    lock = commands.add_parser(
        "lock",
        help="pin the app's packages in requirements.lock again",
        description="Resolve requirements-dev.txt again into requirements.lock with uv (pip-compile where uv is "
        "missing), the framework with its aws and gcp extras: the exact versions the archives install, for "
        "`requires=` and the GCP runtime. Add a package a function requires to requirements-dev.txt, then run "
        "this. Without options, only what the edited lines need changes.",
    )
    lock.add_argument("--upgrade", action="store_true", help="move every package to the newest version allowed")
    lock.add_argument(
        "--upgrade-package",
        action="append",
        default=[],
        metavar="NAME",
        help="move just this package to the newest version allowed (repeatable)",
    )
    lock.set_defaults(run=_lock)

    data = commands.add_parser(
        "data",
        help="look into the local buckets and tables",
        description="List what the local buckets and tables hold (what `portable dev` and `portable invoke` "
        "stored), read straight from the state folder.",
    )
    listing = data.add_subparsers(dest="listing", required=True, metavar="WHAT")
    for name, help_text in (
        ("buckets", "every local bucket, with its object count and size"),
        ("tables", "every local table, with its item count"),
    ):
        _state_option(listing.add_parser(name, help=help_text, description=help_text))
    ls = listing.add_parser(
        "ls",
        help="the objects of BUCKET: size, time, key",
        description="The objects of BUCKET: size, last modified (UTC) and key, in key order.",
    )
    ls.add_argument("name", metavar="BUCKET")
    items = listing.add_parser(
        "items",
        help="the items of TABLE: key and JSON document",
        description="The items of TABLE, in key order: key, then the document as JSON.",
    )
    items.add_argument("name", metavar="TABLE")
    for command in (ls, items):
        command.add_argument("--prefix", default="", help="only keys that start with this")
        _state_option(command)
    data.set_defaults(run=_data)

    letters = commands.add_parser(
        "dead-letters",
        help="list, show, replay or discard the local dead letters",
        description="The events that failed their last attempt under `portable dev`, read from the state folder "
        "(whether or not the runner serves): list them, show one (a message's body decoded when it is text or "
        "JSON), replay one (its event queued again with the same id, a message with an edited body if you give "
        "one; the runner serving the folder delivers it), or discard one.",
    )
    actions = letters.add_subparsers(dest="action", required=True, metavar="ACTION")
    listed = actions.add_parser("list", help="every dead letter: name, when, attempts, error")
    listed.add_argument("function", nargs="?", metavar="FUNCTION", help="only this function's")
    listed.add_argument("--json", action="store_true", help="one JSON object a line, the whole letter")
    shown = actions.add_parser("show", help="one dead letter, whole")
    shown.add_argument("--json", action="store_true", help="the letter as a JSON object")
    replayed = actions.add_parser("replay", help="queue a dead letter's event again")
    body = replayed.add_mutually_exclusive_group()
    body.add_argument("--body", metavar="TEXT", help="a message: send it with this body instead")
    body.add_argument("--body-file", type=Path, metavar="FILE", help="a message: send it with this file's body instead")
    discarded = actions.add_parser("discard", help="delete a dead letter")
    for action in (shown, replayed, discarded):
        action.add_argument("name", metavar="FUNCTION/ID", help="the letter, as `list` names it")
    for action in (listed, shown, replayed, discarded):
        _state_option(action)
    letters.set_defaults(run=_dead_letters)
    return root


def _state_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--state", type=Path, metavar="DIR", help="the local data folder (default: $PORTABLE_LOCAL_DIR, else .portable)"
    )


def _version() -> str:
    from providers.cli.scaffold import framework_version

    return framework_version()


def _new(args: argparse.Namespace) -> int:
    from providers.cli.scaffold import scaffold

    directory: Path = args.directory
    scaffold(directory)
    print(
        f"Created {directory}/: functions/hello.py, tests/test_hello.py, the Pulumi project and its aws and gcp "
        f"stacks.\nNext:\n  cd {directory}\n  ./dev test     # set up .venv and run the tests\n"
        "  ./dev serve    # serve the app on http://127.0.0.1:8080"
    )
    return 0


def _dev(args: argparse.Namespace) -> int:
    """Replace this process by the local runner, in the project's folder, with its state folder if given."""
    from portable.loading import refuse_framework_shadowing
    from providers.paths import PROJECT_ROOT, no_project_here

    missing = no_project_here("`portable dev`")
    if missing is not None:
        print(f"error: {missing}", file=sys.stderr)
        return 2
    refuse_framework_shadowing(str(PROJECT_ROOT))  # the runner starts in it, where such a folder comes first
    command = [sys.executable, "-m", "providers.local", "--host", args.host, "--port", str(args.port)]
    for option in ("no_schedules", "debug", "no_reload", "expose_control", "fast_retries"):
        if getattr(args, option):
            command.append("--" + option.replace("_", "-"))
    environment = dict(os.environ)
    if args.state is not None:
        environment["PORTABLE_LOCAL_DIR"] = str(args.state.resolve())
    os.chdir(PROJECT_ROOT)
    os.execve(sys.executable, command, environment)


def _invoke(args: argparse.Namespace) -> int:
    from portable.loading import load_app
    from providers.cli.invoke import Invoker, header_lines
    from providers.paths import PROJECT_ROOT

    def run() -> int:
        app = load_app("functions", str(PROJECT_ROOT))
        invoker = Invoker(app, app.function(args.function), sys.stdout, sys.stderr)
        hints = {"path": args.path, "body": args.body, "key": args.key, "at": args.at}
        hints["headers"] = header_lines(args.header)
        hints.update(invoker.caller_hints(args.subject, args.scopes, args.claims))
        runner = invoker.run_aws if args.cloud == "aws" else invoker.run_gcp
        return runner(args.event, hints, args.show_event)

    return _in_state(args.state, run)


def _in_state(state: Path | None, run: Callable[[], int]) -> int:
    """`run()`, on the local data in `state` when one is given."""
    if state is None:
        return run()
    from providers.local.sqlite_files import using_local_dir

    with using_local_dir(state):
        return run()


def _preview(args: argparse.Namespace) -> int:
    try:
        import pulumi
    except ImportError:
        print(
            "error: portable preview runs the Pulumi program, which needs the deploy extra: "
            "pip install 'portable-serverless[deploy]' (in an app: .venv/bin/uv pip install -r requirements.txt)",
            file=sys.stderr,
        )
        return 1
    import warnings

    from providers.deploy.preview import as_json, as_text, preview_project
    from providers.paths import PROJECT_ROOT

    overrides = {}
    for setting in args.config:
        key, sep, value = setting.partition("=")
        if not sep or not key:
            print(f"error: -c takes KEY=VALUE, e.g. -c gcp:project=my-project; got {setting!r}", file=sys.stderr)
            return 2
        overrides[key] = value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the Pulumi SDK's own, under mocks
        try:
            preview = preview_project(PROJECT_ROOT, args.stack, overrides)
        except pulumi.RunError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    for warning in preview.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(as_json(preview) if args.json else as_text(preview, PROJECT_ROOT))
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from providers.cli.api import app_document, as_text

    text = as_text(app_document(_project_root(), args.stack), args.yaml)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text)
    return 0


def _client(args: argparse.Namespace) -> int:
    from providers.cli.api import app_document, generate_client

    out_dir: Path = args.python
    document = app_document(_project_root(), args.stack)
    generate_client(document, out_dir)
    print(f"Wrote the client of {document['info']['title']!r} to {out_dir}/ (openapi-python-client)")
    return 0


def _lock(args: argparse.Namespace) -> int:
    from providers.cli.lock import lock

    options = ["--upgrade"] * args.upgrade + [f"--upgrade-package={name}" for name in args.upgrade_package]
    return lock(_project_root(), options)


def _project_root() -> Path:
    from providers.paths import PROJECT_ROOT

    return PROJECT_ROOT


def _data(args: argparse.Namespace) -> int:
    from providers.cli import data
    from providers.local.sqlite_files import local_dir

    root = args.state if args.state is not None else local_dir()
    if args.listing == "buckets":
        data.print_buckets(root, sys.stdout)
    elif args.listing == "tables":
        data.print_tables(root, sys.stdout)
    elif args.listing == "ls":
        data.print_objects(root, args.name, args.prefix, sys.stdout)
    else:
        data.print_items(root, args.name, args.prefix, sys.stdout)
    return 0


def _dead_letters(args: argparse.Namespace) -> int:
    from providers.cli import dead_letters
    from providers.local.sqlite_files import local_dir

    root = args.state if args.state is not None else local_dir()
    if args.action == "list":
        return dead_letters.list_letters(root, args.function, args.json, sys.stdout)
    if args.action == "show":
        return dead_letters.show(root, args.name, args.json, sys.stdout)
    if args.action == "discard":
        return dead_letters.discard(root, args.name, sys.stdout)
    body = args.body.encode() if args.body is not None else None
    if args.body_file is not None:
        body = args.body_file.read_bytes()
    return dead_letters.replay(root, args.name, body, sys.stdout)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except PortableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
