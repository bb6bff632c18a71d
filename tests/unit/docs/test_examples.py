"""Every code example of the documentation site runs here, and what the pages say it does is asserted.

The examples are files under docs/examples/<topic>/, shaped like an app: `functions/` is the app's package, `tests/`
the tests a user would write, `scripts/` the scripts. The pages embed them with pymdownx.snippets. Each app runs
through the test kit on every target (the AWS shim, the GCP shim and the local runner), on local data in the test's
own folder; the users' tests run against their app exactly as the `portable_app` fixture runs them.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import io
import json
import re
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from portable import AppDefinitionError, EventFailed, InvalidValue, ObjectEvent, RetryPolicy, load_app
from portable.schedule_trigger import ScheduleTrigger
from portable.schedules import parse_schedule
from portable.testing import TARGETS, Kit
from providers.aws.deploy.schedule_expressions import scheduler_expression
from providers.gcp.deploy.schedule_expressions import cloud_scheduler_schedule

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
TEMPLATE = ROOT / "providers" / "cli" / "template"


def package(topic: str) -> str:
    return f"docs.examples.{topic}.functions"


def fresh_package(root: Path, name: str, **modules: str) -> str:
    """A package `name` under `root` holding `modules`, importable from there; returns its name."""
    folder = root / name
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    for module, source in modules.items():
        (folder / f"{module}.py").write_text(source)
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return name


@pytest.fixture(params=TARGETS)
def target(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def open_kit(target: str, tmp_path: Path) -> Iterator[Callable[[str], Kit]]:
    """Opens the app of a topic on this test's target, with its data in tmp_path; closed after the test."""
    opened: list[Kit] = []

    def open_(topic: str) -> Kit:
        kit = Kit(target, package=package(topic), state=tmp_path / f"state-{len(opened)}").__enter__()
        opened.append(kit)
        return kit

    yield open_
    for kit in opened:
        kit.close()


def log_lines(text: str) -> list[dict[str, Any]]:
    """The JSON log lines in captured stderr."""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


# The users' tests each page shows, run as the portable_app fixture runs them ----------------------------------------

USER_TESTS = {
    "overview": "docs.examples.overview.tests.test_memos",
    "http": "docs.examples.http.tests.test_me",
    "testing": "docs.examples.testing.tests.test_pipeline",
    "typed": "docs.examples.typed.tests.test_notes",
    "idempotency": "docs.examples.idempotency.tests.test_payments",
    "traces": "docs.examples.traces.tests.test_signups",
}


def _targets_of(test: Callable[..., object]) -> tuple[str, ...]:
    for mark in getattr(test, "pytestmark", []):
        if mark.name == "parametrize" and mark.args[0] == "portable_target":
            return tuple(mark.args[1])
    return TARGETS


def _user_tests() -> Iterator[Any]:
    for topic, module_name in USER_TESTS.items():
        module: ModuleType = importlib.import_module(module_name)
        for name, test in vars(module).items():
            if name.startswith("test_") and callable(test):
                for target in _targets_of(test):
                    yield pytest.param(topic, test, target, id=f"{topic}-{name}-{target}")


@pytest.mark.parametrize(("topic", "user_test", "target_name"), list(_user_tests()))
def test_the_users_tests_on_the_pages_pass(
    topic: str, user_test: Callable[[Kit], None], target_name: str, tmp_path: Path
) -> None:
    with Kit(target_name, package=package(topic), state=tmp_path / "portable-state") as kit:
        user_test(kit)


# Getting started: the app `portable new` makes --------------------------------------------------------------------


@pytest.mark.parametrize("target_name", TARGETS)
def test_the_new_apps_hello_and_its_test_pass_on_every_target(target_name: str, tmp_path: Path) -> None:
    hello = (TEMPLATE / "functions" / "hello.py.tmpl").read_text()
    name = fresh_package(tmp_path, f"new_app_{target_name}", hello=hello)
    namespace: dict[str, Any] = {}
    exec((TEMPLATE / "tests" / "test_hello.py.tmpl").read_text(), namespace)
    with Kit(target_name, package=name, state=tmp_path / "state") as kit:
        namespace["test_hello"](kit)
        assert kit.http("POST", "/hello").json() == {"message": "Hello, World!"}
        assert kit.http("POST", "/hello", body="not json").status == 400


# Home and README ----------------------------------------------------------------------------------------------------


def test_the_readme_shows_the_overview_example_as_it_is_tested() -> None:
    example = (EXAMPLES / "overview" / "functions" / "memos.py").read_text()
    test = (EXAMPLES / "overview" / "tests" / "test_memos.py").read_text()
    readme = (ROOT / "README.md").read_text()
    assert f"```python\n# functions/memos.py\n{example}```" in readme
    assert f"```python\n{test}```" in readme
    assert len(readme.encode()) <= 10_000


def test_the_overview_schedule_logs_the_total(
    open_kit: Callable[[str], Kit], capsys: pytest.CaptureFixture[str]
) -> None:
    kit = open_kit("overview")
    kit.http("PUT", "/memos/a", body="12345")
    kit.http("PUT", "/memos/b", body="123")
    capsys.readouterr()
    [delivery] = kit.fire("nightly_total", at=datetime(2026, 11, 28, 2, tzinfo=UTC))
    assert delivery.ok
    [line] = [line for line in log_lines(capsys.readouterr().err) if line["message"] == "memos total"]
    assert (line["bytes"], line["function"], line["trigger"]) == (8, "nightly_total", "schedule")


# Handlers and the portable contract -------------------------------------------------------------------------------


def test_every_function_option_becomes_part_of_the_function() -> None:
    spec = load_app(package("handlers")).function("get-album")
    assert (spec.memory_mb, spec.timeout_seconds, spec.reads, spec.env) == (
        512,
        10,
        frozenset({"albums"}),
        (("PAGE_SIZE", "20"),),
    )
    thumbnail = load_app(package("handlers")).function("make_thumbnail")
    assert (thumbnail.requires, thumbnail.memory_mb, thumbnail.timeout_seconds) == (("Pillow>=10",), 512, 60)


def test_the_album_route_reads_its_setting(open_kit: Callable[[str], Kit]) -> None:
    kit = open_kit("handlers")
    kit.table("albums").put("trip", {"title": "Trip", "photos": [f"p{number}" for number in range(30)]})
    reply = kit.http("GET", "/albums/trip")
    assert reply.json() == {"title": "Trip", "photos": [f"p{number}" for number in range(20)]}
    missing = kit.http("GET", "/albums/nowhere")
    assert (missing.status, missing.json()["error"]) == (404, "no such album")


def test_a_png_gets_a_thumbnail(open_kit: Callable[[str], Kit]) -> None:
    from PIL import Image

    photo = io.BytesIO()
    Image.new("RGB", (200, 100), "teal").save(photo, format="PNG")
    kit = open_kit("handlers")
    kit.bucket("photos").put("beach.png", photo.getvalue())
    with Image.open(io.BytesIO(kit.bucket("thumbnails").get("beach.png"))) as thumbnail:
        assert thumbnail.size == (64, 32)
    assert kit.bucket("thumbnails").head("beach.png").content_type == "image/png"


def test_a_log_line_carries_the_function_trigger_and_event(
    open_kit: Callable[[str], Kit], capsys: pytest.CaptureFixture[str]
) -> None:
    kit = open_kit("handlers")
    kit.bucket("inbox").put("letter.txt", "dear")
    [line] = [line for line in log_lines(capsys.readouterr().err) if line["message"] == "object received"]
    assert (line["severity"], line["function"], line["trigger"], line["key"], line["bytes"]) == (
        "INFO",
        "audit",
        "object",
        "letter.txt",
        4,
    )
    assert line["event_id"]


# HTTP, CORS and JWT auth ------------------------------------------------------------------------------------------


def test_what_a_handler_returns_becomes_the_reply(open_kit: Callable[[str], Kit]) -> None:
    kit = open_kit("http")
    put = kit.http("PUT", "/notes/n1", json={"text": "hi"})
    assert (put.status, put.headers["content-type"], put.json()) == (200, "application/json", {"id": "n1"})
    got = kit.http("GET", "/notes/n1")
    assert (got.status, got.text, got.headers["cache-control"]) == (200, "hi", "no-store")
    assert got.headers["content-type"].startswith("text/plain")
    assert got.cookies == ["last_note=n1; Max-Age=3600; Path=/; Secure; HttpOnly; SameSite=Lax"]
    deleted = kit.http("DELETE", "/notes/n1")
    assert (deleted.status, deleted.body) == (204, b"")
    missing = kit.http("GET", "/notes/n1")
    assert missing.status == 404
    assert missing.json() == {"error": "no such note", "status": 404, "request_id": missing.json()["request_id"]}
    file = kit.http("GET", "/files/a/b.txt")
    assert (file.body, file.headers["content-type"]) == (b"a/b.txt", "application/octet-stream")


def test_caller_mistakes_are_4xx(open_kit: Callable[[str], Kit]) -> None:
    kit = open_kit("http")
    broken = kit.http("PUT", "/notes/n1", body="{not json", headers={"Content-Type": "application/json"})
    assert broken.status == 400 and "not valid JSON" in broken.json()["error"]
    not_a_note = kit.http("PUT", "/notes/n1", json=["a list"])
    assert not_a_note.status == 422 and not_a_note.json()["errors"][0]["location"] == "body"
    assert kit.http("GET", "/nowhere").status == 404
    wrong = kit.http("POST", "/notes/n1")
    assert wrong.status == 405 and set(wrong.headers["allow"].split(", ")) == {"GET", "PUT", "DELETE"}


def test_the_request_fields(open_kit: Callable[[str], Kit], target: str) -> None:
    reply = open_kit("http").http(
        "GET",
        "/echo?tag=a&tag=b",
        headers={"accept": "text/csv", "Cookie": "session=s1; session=s2"},
        client_ip="203.0.113.7",
    )
    body = reply.json()
    assert {key: body[key] for key in ("tags", "first_tag", "accept", "client_ip")} == {
        "tags": ["a", "b"],
        "first_tag": "a",
        "accept": "text/csv",
        "client_ip": "203.0.113.7",
    }
    if target == "aws":  # the kit's gcp and local targets drop a Cookie header (see the Testing page)
        assert body["session"] == "s1", "the first of a repeated cookie wins"
    assert re.fullmatch(r"[A-Za-z0-9._:=+-]{1,128}", body["request_id"])


def test_cors_preflights_and_replies(open_kit: Callable[[str], Kit]) -> None:
    kit = open_kit("http")
    asking = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT"}
    preflight = kit.http("OPTIONS", "/notes/n1", headers=asking)
    assert preflight.status == 204
    assert preflight.headers["access-control-allow-origin"] == "https://app.example.com"
    assert preflight.headers["access-control-max-age"] == "600"
    assert "Origin" in preflight.headers["vary"]
    refused = kit.http("OPTIONS", "/notes/n1", headers={**asking, "Origin": "https://elsewhere.example"})
    assert refused.status == 403 and "access-control-allow-origin" not in refused.headers
    reply = kit.http("GET", "/echo", headers={"Origin": "https://app.example.com"})
    assert reply.headers["access-control-allow-origin"] == "https://app.example.com"
    assert reply.headers["access-control-expose-headers"] == "x-request-id"


def test_a_route_with_auth_needs_a_token(open_kit: Callable[[str], Kit]) -> None:
    kit = open_kit("http")
    anonymous = kit.http("GET", "/me")
    assert anonymous.status == 401 and anonymous.headers["www-authenticate"].startswith("Bearer")
    token = kit.token("alice", ["notes:read"], claims={"aud": "https://other.example.com"})
    assert kit.http("GET", "/me", headers={"Authorization": f"Bearer {token}"}).status == 401


# Buckets and tables -----------------------------------------------------------------------------------------------


def test_an_upload_is_counted_and_forgotten(open_kit: Callable[[str], Kit]) -> None:
    kit = open_kit("data")
    reply = kit.http("PUT", "/files/a.txt", body="one two three")
    assert reply.json() == {"key": "a.txt", "size": 13, "content_type": "text/plain"}
    assert kit.table("word-counts").get("a.txt") == {"words": 3, "bytes": 13}
    assert kit.bucket("uploads").head("a.txt").metadata == {"source": "api"}
    kit.http("PUT", "/files/b.bin", body="x y")
    assert kit.table("word-counts").keys() == ["a.txt"], "the trigger takes .txt only"
    link = kit.http("GET", "/files/a.txt/link").json()["url"]
    assert link.startswith("http://127.0.0.1:8080/__portable/buckets/")
    assert kit.http_url(link).body == b"one two three", "what a browser following the link downloads"
    kit.bucket("uploads").delete("a.txt")
    assert kit.table("word-counts").items() == {}


def test_increments_and_optimistic_updates(open_kit: Callable[[str], Kit]) -> None:
    kit = open_kit("data")
    assert [kit.http("POST", "/pages/home/visits").json()["visits"] for _ in range(3)] == [1, 2, 3]
    assert kit.http("POST", "/profiles/ada/tags", body="python").json() == {"tags": ["python"]}
    assert kit.http("POST", "/profiles/ada/tags", body="cloud").json() == {"tags": ["cloud", "python"]}
    assert kit.table("profiles").get("ada") == {"tags": ["cloud", "python"]}


def test_threads_that_copy_the_context_reach_the_data(open_kit: Callable[[str], Kit]) -> None:
    kit = open_kit("data")
    kit.bucket("archive").put("a", b"12")
    kit.bucket("archive").put("b", b"1234")
    assert kit.http("POST", "/archive/sizes", json=["a", "b"]).json() == {"a": 2, "b": 4}


def test_the_seed_script_writes_the_local_tables(tmp_path: Path) -> None:
    from docs.examples.data.scripts.seed import seed
    from portable import table
    from portable.context import using_clients
    from providers.local.clients import client_for
    from providers.local.sqlite_files import close_connections, using_local_dir

    with using_local_dir(tmp_path):
        seed()
        with using_clients(client_for):
            assert {item.key: item.value for item in table("visits").query()} == {
                "about": {"count": 0},
                "home": {"count": 0},
            }
    close_connections(tmp_path)


# Schedules ----------------------------------------------------------------------------------------------------------


def test_the_schedules_compile_alike_for_both_clouds() -> None:
    compiled = {}
    for spec in load_app(package("schedules")).functions_of(ScheduleTrigger):
        trigger = spec.trigger
        schedule = parse_schedule(trigger.cron, trigger.every, trigger.timezone)
        compiled[spec.name] = (scheduler_expression(schedule), cloud_scheduler_schedule(schedule))
    assert compiled == {
        "nightly_report": (("cron(30 2 ? * 2-6 *)", "America/Sao_Paulo"), ("30 2 * * 1-5", "America/Sao_Paulo")),
        "poll": (("cron(0/15 * * * ? *)", "UTC"), ("*/15 * * * *", "UTC")),
        "first_monday": (("cron(0 9 ? * 2 *)", "Europe/Berlin"), ("0 9 * * 1", "Europe/Berlin")),
    }


def test_a_firing_carries_its_due_time_and_id(open_kit: Callable[[str], Kit]) -> None:
    kit = open_kit("schedules")
    kit.fire("nightly_report", at=datetime(2026, 11, 27, 5, 30, tzinfo=UTC))
    assert kit.table("runs").items() == {
        "nightly_report@2026-11-27T05:30:00Z": {"function": "nightly_report", "due": "2026-11-27T05:30:00+00:00"}
    }


def test_only_the_first_monday_goes_on(open_kit: Callable[[str], Kit]) -> None:
    kit = open_kit("schedules")
    kit.fire("first_monday", at=datetime(2026, 12, 7, 8, tzinfo=UTC))
    kit.fire("first_monday", at=datetime(2026, 12, 14, 8, tzinfo=UTC))
    assert kit.table("runs").keys() == ["first_monday@2026-12-07T08:00:00Z"]


def _translation_rows() -> list[tuple[str, str, str, str]]:
    """The rows of the translation table on the Schedules page: (declaration, zone, EventBridge, Cloud Scheduler)."""
    page = (DOCS / "schedules.md").read_text()
    table = page.split("<!-- translations -->")[1].split("<!-- /translations -->")[0]
    rows = []
    for line in table.strip().splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        rows.append(tuple(cells))
    return rows  # type: ignore[return-value]


def test_the_translation_table_is_what_the_compilers_make() -> None:
    rows = _translation_rows()
    assert len(rows) >= 8
    for declared, zone, eventbridge, cloud_scheduler in rows:
        code = re.fullmatch(r'`(every=)?"?([^"`]+)"?`', declared)
        assert code, declared
        every = code[2] if code[1] else None
        cron = None if every else code[2]
        schedule = parse_schedule(cron, every, zone.strip("`"))
        assert f"`{scheduler_expression(schedule)[0]}`" == eventbridge, declared
        assert f"`{cloud_scheduler_schedule(schedule)[0]}`" == cloud_scheduler, declared


# Queues and topics --------------------------------------------------------------------------------------------------


def test_an_order_reaches_every_subscriber_and_the_queue(
    open_kit: Callable[[str], Kit], capsys: pytest.CaptureFixture[str]
) -> None:
    kit = open_kit("messaging")
    reply = kit.http("POST", "/orders", json={"sku": "tea", "count": 2})
    order_id = reply.json()["id"]
    assert sorted(delivery.function for delivery in kit.deliveries) == ["audit_order", "bill", "write_invoice"]
    assert kit.table("invoice-store").get(order_id) == {"order": {"sku": "tea", "count": 2}, "attempt": 1}
    [line] = [line for line in log_lines(capsys.readouterr().err) if line["message"] == "order placed"]
    assert (line["message_id"], line["kind"]) == (order_id, "order")


def test_a_delay_needs_a_queue_declared_with_delays(open_kit: Callable[[str], Kit]) -> None:
    kit = open_kit("messaging")
    reply = kit.http("POST", "/reminders?in=600", json={"text": "stand up"})
    assert kit.table("sent-reminders").get(reply.json()["id"]) == {"text": "stand up", "source": "reminders"}
    with pytest.raises(InvalidValue, match="delay_seconds"):
        kit.send("reminders", {"text": "too late"}, delay_seconds=901)
    with pytest.raises(InvalidValue, match=r"queue\('invoices', delays=True\)"):
        kit.send("invoices", {"order": {}}, delay_seconds=5)


# Table changes ------------------------------------------------------------------------------------------------------


def test_each_price_a_product_had_is_recorded_and_a_retired_tea_logged(
    open_kit: Callable[[str], Kit], capsys: pytest.CaptureFixture[str]
) -> None:
    kit = open_kit("changes")
    assert kit.http("PUT", "/products/tea-sencha", json={"name": "Sencha", "price": 12}).status == 200
    kit.table("products").put("tea-sencha", {"name": "Sencha", "price": 14})
    kit.table("products").put("tea-sencha", {"name": "Sencha (organic)", "price": 14})  # same price: no entry
    kit.table("products").put("cup-white", {"name": "White cup", "price": 6})
    kit.table("products").delete("tea-sencha")
    history = kit.table("price-history").items()
    recorded = sorted(repr((e["sku"], e["from"], e["to"])) for e in history.values())
    assert recorded == sorted(
        repr(entry)
        for entry in [
            ("tea-sencha", None, 12),
            ("tea-sencha", 12, 14),
            ("cup-white", None, 6),
            ("tea-sencha", 14, None),
        ]
    )
    [line] = [line for line in log_lines(capsys.readouterr().err) if line["message"] == "tea retired"]
    assert (line["sku"], line["last_price"]) == ("tea-sencha", 14)
    kit.table("products").delete("cup-white")  # not a tea: tea_retired's handler is not called
    assert [line for line in log_lines(capsys.readouterr().err) if line["message"] == "tea retired"] == []


# Retries and dead letters -----------------------------------------------------------------------------------------


def test_the_retry_policies_and_their_backoff() -> None:
    app = load_app(package("retries"))
    assert app.function("import_rows").retries == RetryPolicy(attempts=3, max_age_seconds=3600)
    assert app.function("scan_log").retries == RetryPolicy(attempts=1, max_age_seconds=600)
    assert [RetryPolicy().delay_before(attempt) for attempt in (1, 2, 3)] == [0, 60, 120]
    for refused in (RetryPolicy(attempts=4), RetryPolicy(max_age_seconds=59), RetryPolicy(max_age_seconds=21601)):
        with pytest.raises(AppDefinitionError, match="cannot run on AWS"):
            refused.check("functions/imports.py:9 (import_rows)")


def test_a_redelivered_event_is_imported_once(open_kit: Callable[[str], Kit]) -> None:
    from docs.examples.retries.functions.imports import import_rows

    kit = open_kit("retries")
    assert all(delivery.ok for delivery in kit.bucket("imports").put("csv/a.csv", "x,1\ny,2\n"))
    [(event_id, row)] = kit.table("imported").items().items()
    assert row == {"key": "csv/a.csv", "rows": 2}
    again = ObjectEvent("imports", "csv/a.csv", "created", event_id, datetime.now(UTC), 8, None, None)
    kit.run(lambda: import_rows(again))
    assert kit.table("imported").keys() == [event_id]


def test_one_attempt_then_a_dead_letter(
    open_kit: Callable[[str], Kit], target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    kit = open_kit("retries")
    kit.bucket("imports").put("logs/fine.log", "ok")
    if target in ("aws", "local"):  # Lambda, and the local runner, are told that the attempt failed
        with pytest.raises(EventFailed, match="scan_log failed"):
            kit.bucket("imports").put("logs/binary.log", b"\0\1")
        return
    # The GCP shim ends it: one ERROR line holding the event, and the event acknowledged.
    kit.bucket("imports").put("logs/binary.log", b"\0\1")
    [line] = [line for line in log_lines(capsys.readouterr().err) if line.get("dead_letter")]
    assert line["message"] == "event dead-lettered: its one attempt failed"
    assert (line["severity"], line["event"]["key"]) == ("ERROR", "logs/binary.log")


# Secrets and settings ---------------------------------------------------------------------------------------------


def _signed(body: bytes, key: str) -> str:
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def test_the_webhook_checks_the_signature_with_the_secret(
    open_kit: Callable[[str], Kit], monkeypatch: pytest.MonkeyPatch
) -> None:
    kit = open_kit("settings")
    kit.set_secret("webhook_key", "whsec_test")
    body = b'{"type": "ping"}'
    signed = kit.http("POST", "/webhooks", body=body, headers={"X-Signature": _signed(body, "whsec_test")})
    assert (signed.status, signed.json()) == (200, {"received": True})
    forged = kit.http("POST", "/webhooks", body=body, headers={"X-Signature": _signed(body, "guess")})
    assert forged.status == 401
    # Locally an environment variable of the setting's name overrides the declared value, as a stack does.
    monkeypatch.setenv("SIGNATURE_HEADER", "X-Hub-Signature-256")
    moved = kit.http("POST", "/webhooks", body=body, headers={"X-Hub-Signature-256": _signed(body, "whsec_test")})
    assert moved.status == 200


def test_settings_come_from_the_function_then_the_app(open_kit: Callable[[str], Kit]) -> None:
    assert open_kit("settings").http("GET", "/greeting").json() == {
        "greeting": "Hi",
        "log_level": "info",
        "region": "none",
    }


# Testing with the kit ---------------------------------------------------------------------------------------------


def test_the_kit_outside_pytest(capsys: pytest.CaptureFixture[str]) -> None:
    from docs.examples.testing.scripts.try_hello import main

    main()
    assert capsys.readouterr().out == "200 {'message': 'Hello, Ada!'}\n"


# Every example is on a page, and every page embeds files that exist -----------------------------------------------

SNIPPET = re.compile(r'^[ \t]*-{1,}8<-{1,}[ \t]+"([^"]+)"', re.MULTILINE)


def test_every_example_file_is_embedded_in_a_page() -> None:
    embedded = {match for page in DOCS.rglob("*.md") for match in SNIPPET.findall(page.read_text())}
    examples = {
        str(path.relative_to(ROOT))
        for path in EXAMPLES.rglob("*")
        if path.is_file() and path.suffix in (".py", ".yaml") and path.name != "__init__.py"
    }
    assert examples - embedded == set()


def test_a_python_block_written_inline_fails_the_build(tmp_path: Path) -> None:
    hooks = importlib.import_module("docs.hooks")
    page = textwrap.dedent(
        """
        ```{.python title="functions/memos.py"}
        --8<-- "docs/examples/overview/functions/memos.py"
        ```

        ```sh
        portable dev
        ```
        """
    )
    with pytest.MonkeyPatch.context() as patch:
        warnings: list[str] = []
        patch.setattr(hooks.log, "warning", warnings.append)
        hooks._check_python_blocks(page, "ok.md")
        assert warnings == []
        hooks._check_python_blocks(page + "\n```python\nprint('hi')\n```\n", "inline.md")
        hooks._check_python_blocks(page + '\n```{.python title="x.py"}\nprint("hi")\n```\n', "braces.md")
        assert [warning.split(":")[0] for warning in warnings] == ["inline.md", "braces.md"]
        assert warnings[0].startswith("inline.md: a python block is written inline")


# Traces -----------------------------------------------------------------------------------------------------------


def test_the_request_its_message_and_the_job_log_one_trace(
    open_kit: Callable[[str], Kit], target: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    kit = open_kit("traces")
    trace = kit.http("POST", "/signups", json={"user": "ada"}).json()["trace"]
    lines = [line for line in log_lines(capsys.readouterr().err) if line.get("function")]
    assert [line["message"] for line in lines] == ["signed up", "welcome queued", "welcome sent"]
    if target == "aws":  # X-Ray's form of the same id
        assert {line["xray_trace_id"] for line in lines} == {f"1-{trace[:8]}-{trace[8:]}"}
    else:
        assert {line["trace"] for line in lines} == {trace}


# Metrics ----------------------------------------------------------------------------------------------------------


def test_an_upload_records_its_metrics_in_each_targets_words(
    open_kit: Callable[[str], Kit], target: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    monkeypatch.setenv("PORTABLE_METRICS_NAMESPACE", "photo-app")
    kit = open_kit("metrics")
    kit.bucket("photos").put("users/pro/cat.jpg", b"x")
    out, err = capsys.readouterr()
    if target == "aws":  # CloudWatch Embedded Metric Format on stdout
        uploaded, scanned = [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]
        assert uploaded["_aws"]["CloudWatchMetrics"][0] == {
            "Namespace": "photo-app",
            "Dimensions": [["tier"]],
            "Metrics": [{"Name": "photos_uploaded", "Unit": "Count"}],
        }
        assert (uploaded["photos_uploaded"], uploaded["tier"]) == (1, "pro") and scanned["scan_time"] >= 0
        return
    uploaded, scanned = [line["metric"] for line in log_lines(err) if "metric" in line]
    assert uploaded == {
        "name": "photos_uploaded",
        "namespace": "photo-app",
        "value": 1,
        "unit": "Count",
        "dimensions": {"tier": "pro"},
    }
    assert scanned["name"] == "scan_time" and scanned["unit"] == "Milliseconds"


def test_a_page_of_the_buckets_origin_may_upload_through_its_signed_url(
    open_kit: Callable[[str], Kit], target: str
) -> None:
    kit = open_kit("data")
    url = kit.http("POST", "/photos/cat.jpg").json()["url"]
    assert url.startswith("http://127.0.0.1:8080/__portable/buckets/") and "method=PUT" in url
    if target != "local":
        return  # the signed URL is the local runner's on every target: it answers it
    path = url.removeprefix("http://127.0.0.1:8080")
    asked = {"Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"}
    allowed = kit.http("OPTIONS", path, headers={"Origin": "https://app.example.com", **asked})
    assert allowed.status == 204 and allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    refused = kit.http("OPTIONS", path, headers={"Origin": "https://elsewhere.example", **asked})
    assert refused.status == 403 and "access-control-allow-origin" not in refused.headers
    stored = kit.http(
        "PUT", path, body=b"jpeg", headers={"Origin": "https://app.example.com", "Content-Type": "image/jpeg"}
    )
    assert stored.status == 200 and stored.headers["access-control-allow-origin"] == "https://app.example.com"
    assert kit.bucket("photos").get("cat.jpg") == b"jpeg"
