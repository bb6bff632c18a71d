"""Loading the App: every declaration is checked, and each refusal names the file and the fix."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from portable import AppDefinitionError, http_trigger, load_app
from portable.app import load_function
from portable.http_trigger import HttpTrigger
from portable.message_trigger import MessageTrigger
from portable.object_trigger import ObjectTrigger
from portable.schedule_trigger import ScheduleTrigger
from tests.support.packages import make_package


def test_the_shipped_app_loads_with_every_trigger_kind() -> None:
    app = load_app()
    hello = app.function("hello")
    assert isinstance(hello.trigger, HttpTrigger)
    assert hello.trigger.route.key == "POST /hello"
    assert hello.module == "functions.hello"
    assert any(isinstance(spec.trigger, ObjectTrigger) for spec in app.functions.values()), "upload pipeline"
    assert any(isinstance(spec.trigger, ScheduleTrigger) for spec in app.functions.values()), "nightly report"


def test_declarations_become_plain_data(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        api="""
        from portable import bucket, http, table

        files = bucket("files")
        counts = table("counts")

        @http("GET /files/{name}", reads=[files], writes=[counts], requires=["pyyaml>=6"], memory_mb=512)
        def get_file(request):
            return {}
    """,
    )
    app = load_app(package)
    spec = app.function("get_file")
    assert spec.reads == {"files"} and spec.writes == {"counts"}
    assert spec.requires == ("pyyaml>=6",) and spec.memory_mb == 512
    assert app.functions_of(HttpTrigger)[0].trigger.route.params == ("name",)
    assert app.buckets == ["files"] and app.tables == ["counts"]
    assert app.handlers["get_file"].__name__ == "get_file"


def test_every_trigger_kind_takes_the_same_options_with_its_own_default_timeout(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        jobs="""
        from portable import bucket, http, schedule

        inbox = bucket("inbox")

        @http("GET /ping")
        def ping(request):
            return {}

        @inbox.on_created(memory_mb=1024, requires=["pyyaml>=6"], name="on-inbox")
        def on_inbox(event):
            pass

        @schedule(every="1 hour", timeout_seconds=300)
        def hourly(event):
            pass
    """,
    )
    app = load_app(package)
    assert (app.function("ping").timeout_seconds, app.function("ping").memory_mb) == (30, 256)
    assert (app.function("on-inbox").timeout_seconds, app.function("on-inbox").memory_mb) == (60, 1024)
    assert app.function("on-inbox").requires == ("pyyaml>=6",)
    assert app.function("hourly").timeout_seconds == 300


def test_an_unknown_option_is_refused_with_the_options_listed(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        api="""
        from portable import http

        @http("GET /ping", memory=512)
        def ping(request):
            return {}
    """,
    )
    with pytest.raises(
        AppDefinitionError,
        match=r"api.py:4 \(ping\): unknown option memory=; did you mean memory_mb=\?; the options are name, "
        r"reads, writes, requires, memory_mb, timeout_seconds",
    ):
        load_app(package)


def test_load_function_imports_only_its_module(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        fast="from portable import http\n@http('GET /fast')\ndef fast(request):\n    return 'ok'\n",
        heavy="raise RuntimeError('this module must not be imported')\n",
    )
    spec, handler = load_function("fast", f"{package}.fast")
    assert spec.name == "fast" and handler(None) == "ok"
    assert f"{package}.heavy" not in sys.modules


def test_function_missing_from_its_module_is_named(tmp_path: Path) -> None:
    package = make_package(tmp_path, api="from portable import http\n@http('GET /a')\ndef a(request):\n    return 1\n")
    with pytest.raises(AppDefinitionError, match="defines no function named 'b'"):
        load_function("b", f"{package}.api")


REFUSALS = {
    "duplicate names": (
        {
            "one": "from portable import http\n@http('GET /a')\ndef same(request):\n    return 1\n",
            "two": "from portable import http\n@http('GET /b')\ndef same(request):\n    return 1\n",
        },
        r"two functions are named 'same': .*one\.py:2 and .*two\.py:2; rename one, or pass name=",
    ),
    "duplicate routes": (
        {
            "one": "from portable import http\n@http('GET /users/{id}')\ndef a(request):\n    return 1\n",
            "two": "from portable import http\n@http('GET /users/{name}')\ndef b(request):\n    return 1\n",
        },
        r"route 'GET /users/\{name\}' at .*two\.py:2 \(b\) clashes with 'GET /users/\{id\}' at .*one\.py:2 \(a\)",
    ),
    "route without method": (
        {"api": "from portable import http\n@http('/hello')\ndef a(request):\n    return 1\n"},
        r"api\.py:2 \(a\): route '/hello' is malformed: write it as 'METHOD /path'",
    ),
    "unknown method": (
        {"api": "from portable import http\n@http('FETCH /hello')\ndef a(request):\n    return 1\n"},
        r"unknown method 'FETCH': use one of GET, POST",
    ),
    "relative path": (
        {"api": "from portable import http\n@http('GET hello')\ndef a(request):\n    return 1\n"},
        r"the path must start with '/'",
    ),
    "greedy not last": (
        {"api": "from portable import http\n@http('GET /{rest+}/x')\ndef a(request):\n    return 1\n"},
        r"greedy parameter \{rest\+\} must be the last segment",
    ),
    "bad segment": (
        {"api": "from portable import http\n@http('GET /a b/{id')\ndef a(request):\n    return 1\n"},
        r"route 'GET /a b/\{id' is malformed|invalid segment",
    ),
    "repeated parameter": (
        {"api": "from portable import http\n@http('GET /{id}/{id}')\ndef a(request):\n    return 1\n"},
        r"uses the parameter \{id\} twice",
    ),
    "reads a name, not a handle": (
        {"api": "from portable import http\n@http('GET /a', reads=['files'])\ndef a(request):\n    return 1\n"},
        r"reads= takes bucket\(\.\.\.\), table\(\.\.\.\), queue\(\.\.\.\), topic\(\.\.\.\) and secret\(\.\.\.\) "
        r"handles, got 'files'",
    ),
    "one name, two kinds": (
        {"api": "from portable import bucket, table\nx = bucket('things')\ny = table('things')\n"},
        r"api.py:3: 'things' is declared both as a bucket and as a table",
    ),
    "invalid bucket name": (
        {"api": "from portable import bucket\nx = bucket('My_Bucket')\n"},
        r"api.py:2: bucket name 'My_Bucket' is not valid: use 3 to 40 lower-case letters, digits and '-', "
        r"starting with a letter, e.g. bucket\('my-bucket'\)$",
    ),
    "invalid table name": (
        {"api": "import portable\n\nnotes = portable.table('n')\n"},
        r"api.py:3: table name 'n' is not valid: use 3 to 40 lower-case letters, digits and '-', "
        r"starting with a letter$",
    ),
    "Express-style parameter": (
        {"api": "from portable import http\n@http('GET /notes/:id/:part')\ndef a(request):\n    return 1\n"},
        r"api.py:2 \(a\): route 'GET /notes/:id/:part' uses the Express-style parameter ':id', which would be "
        r"taken as literal text: write it as \{id\}, i.e. 'GET /notes/\{id\}/\{part\}'",
    ),
    "async handler": (
        {"api": "from portable import http\n@http('GET /a')\nasync def a(request):\n    return 1\n"},
        r"api.py:2 \(a\): handlers are plain functions, but 'a' is declared with async def; .* asyncio.run",
    ),
    "async generator handler": (
        {"api": "from portable import bucket\n@bucket('files').on_created()\nasync def a(event):\n    yield 1\n"},
        r"api.py:2 \(a\): handlers are plain functions, but 'a' is declared with async def",
    ),
    "writes into its own trigger": (
        {
            "api": """
from portable import bucket
images = bucket("images")
@images.on_created(prefix="raw/", writes=[images])
def resize(event):
    pass
"""
        },
        r"api\.py:4: function 'resize' writes to bucket 'images', which triggers it .* allow_self_trigger=True",
    ),
    "an HTTP handler that takes no request": (
        {"api": "from portable import http\n@http('GET /a')\ndef a():\n    return 1\n"},
        r"api\.py:2 \(a\): every target calls a handler with one argument, the request, but 'a' takes no parameter; "
        r"write def a\(request: Request\) -> \.\.\.",
    ),
    "an event handler that needs two arguments": (
        {"api": "from portable import bucket\n@bucket('files').on_created()\ndef a(event, extra):\n    pass\n"},
        r"api\.py:2 \(a\): every target calls a handler with one argument, the event, but 'a' requires 2 arguments; "
        r"write def a\(event: ObjectEvent\)",
    ),
    "a table change handler that takes no change": (
        {"api": "from portable import table\n@table('stock').on_written\ndef a():\n    pass\n"},
        r"api\.py:2 \(a\): .* the event, but 'a' takes no parameter; write def a\(event: TableChange\)",
    ),
    "a message handler that needs two arguments": (
        {"api": "from portable import queue\n@queue('jobs').on_message()\ndef a(message, extra):\n    pass\n"},
        r"api\.py:2 \(a\): .* 'a' requires 2 arguments; write def a\(event: Message\)",
    ),
    "a handler with a keyword argument it requires": (
        {"api": "from portable import schedule\n@schedule('0 2 * * *')\ndef a(event, *, when):\n    pass\n"},
        r"api\.py:2 \(a\): .* but 'a' requires the keyword argument when=; write def a\(event: ScheduleEvent\)",
    ),
    "two consumers of one queue": (
        {
            "api": """
from portable import queue
jobs = queue("jobs")
@jobs.on_message()
def a(message):
    pass
@jobs.on_message()
def b(message):
    pass
"""
        },
        r"api\.py:7: queue 'jobs' has 2 consumers: 'a' \(.*api\.py:4\), 'b' \(.*api\.py:7\)",
    ),
}


def test_handlers_that_take_one_argument_in_any_form_load(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        api="""
        from portable import bucket, http, schedule

        @bucket("files").on_created()
        def a(event, extra=None, *, flag=False):
            pass

        @schedule("0 2 * * *")
        def b(*args, **kwargs):
            pass

        @http("GET /c")
        def c(request):
            return 3
    """,
    )
    assert sorted(load_app(package).functions) == ["a", "b", "c"]


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_bad_declarations_are_refused_with_the_fix(case: str, tmp_path: Path) -> None:
    modules, message = REFUSALS[case]
    package = make_package(tmp_path, **modules)
    with pytest.raises(AppDefinitionError, match=message):
        load_app(package)


def test_self_trigger_is_allowed_when_declared(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        api="""
        from portable import bucket
        images = bucket("images")
        @images.on_created(prefix="raw/", writes=[images], allow_self_trigger=True)
        def resize(event):
            pass
    """,
    )
    assert load_app(package).function("resize").allow_self_trigger


def test_any_and_a_specific_method_may_share_a_path(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        api="""
        from portable import http
        @http("ANY /items")
        def any_items(request):
            return 1
        @http("GET /items")
        def get_items(request):
            return 2
    """,
    )
    assert set(load_app(package).functions) == {"any_items", "get_items"}


def test_missing_package_names_the_fix() -> None:
    with pytest.raises(AppDefinitionError, match=r"cannot import the package 'no_such_pkg'.*run from the project root"):
        load_app("no_such_pkg")


@pytest.mark.parametrize("name", ["grüße", "a" * 41, "9lives", "has space", "_private", "-lead", "ping\n", "Éclair"])
def test_function_names_every_cloud_accepts_are_ascii_and_short(tmp_path: Path, name: str) -> None:
    package = make_package(
        tmp_path,
        api=f"""
        from portable import http

        @http("GET /ping", name={name!r})
        def ping(request):
            return {{}}
    """,
    )
    with pytest.raises(AppDefinitionError, match=r"api.py:4 \(ping\): function name .* must be 1 to 40 ASCII"):
        load_app(package)


def test_the_longest_allowed_function_name_loads(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        api=f"""
        from portable import http

        @http("GET /ping", name={"a" * 40!r})
        def ping(request):
            return {{}}
    """,
    )
    assert list(load_app(package).functions) == ["a" * 40]


def test_names_that_collide_on_gcp_are_refused_naming_both_files(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        one="""
        from portable import http

        @http("GET /one")
        def probe_report(request):
            return {}
    """,
        two="""
        from portable import http

        @http("GET /two", name="probe-report")
        def other(request):
            return {}
    """,
    )
    with pytest.raises(
        AppDefinitionError,
        match=r"'probe-report' \(.*two.py:4\) and 'probe_report' \(.*one.py:4\) "
        r"would both be named 'probe-report' on GCP|'probe_report' \(.*one.py:4\) and 'probe-report' "
        r"\(.*two.py:4\) would both be named 'probe-report' on GCP",
    ):
        load_app(package)


def test_a_request_reaches_the_most_specific_path_and_its_own_method_before_any(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        api="""
        from portable import http

        @http("GET /files/{name}")
        def by_name(request):
            return 1

        @http("ANY /files/latest")
        def latest(request):
            return 2

        @http("GET /files/{name}/{path+}")
        def nested(request):
            return 3

        @http("POST /files/latest")
        def post_latest(request):
            return 4
    """,
    )
    app = load_app(package)

    def chosen(method: str, path: str) -> tuple[str | None, list[str]]:
        spec, allowed = http_trigger.route(app, method, path)
        return (spec.name if spec else None), allowed

    assert chosen("GET", "/files/latest") == ("latest", [])
    assert chosen("POST", "/files/latest") == ("post_latest", [])
    assert chosen("GET", "/files/report.pdf") == ("by_name", [])
    assert chosen("GET", "/files/a/b") == ("nested", [])
    assert chosen("DELETE", "/files/a/b/c") == (None, ["GET"])
    assert chosen("GET", "/other") == (None, [])


@pytest.mark.parametrize("shadow", ["providers/__init__.py", "portable.py", "portable/__init__.py", "providers.py"])
def test_an_app_with_its_own_portable_or_providers_is_refused(tmp_path: Path, shadow: str) -> None:
    """Such a folder or module would be imported in place of the framework, from the project's root and from the
    root of every archive."""
    package = make_package(
        tmp_path, hello='from portable import http\n\n@http("GET /hi")\ndef hi(request):\n    return {}\n'
    )
    (tmp_path / shadow).parent.mkdir(exist_ok=True)
    (tmp_path / shadow).write_text("")
    clash = shadow.split("/")[0]
    with pytest.raises(AppDefinitionError) as refused:
        load_app(package)
    message = str(refused.value)
    assert message.startswith(f"{tmp_path / clash}: the app has its own top-level {clash!r}")
    assert f"rename it, e.g. to 'app_{clash.removesuffix('.py')}'" in message


def test_an_app_without_a_clash_loads_beside_a_similar_name(tmp_path: Path) -> None:
    package = make_package(
        tmp_path, hello='from portable import http\n\n@http("GET /hi")\ndef hi(request):\n    return {}\n'
    )
    (tmp_path / "portable_helpers.py").write_text("")
    (tmp_path / "my_providers").mkdir()
    assert load_app(package).function("hi").name == "hi"


def test_a_queue_declared_with_and_without_delays_is_refused(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        first="""
        from portable import queue
        jobs = queue("jobs", delays=True)

        @jobs.on_message
        def work(message): ...
    """,
        second="""
        from portable import http, queue
        jobs = queue("jobs")

        @http("POST /jobs", writes=[jobs])
        def enqueue(request): ...
    """,
    )
    with pytest.raises(
        AppDefinitionError,
        match=r"queue 'jobs' is declared with delays=True at .*first.py:3 and "
        r"without at .*second.py:3; declare it the same way everywhere",
    ):
        load_app(package)


def test_the_app_names_its_queues_declared_with_delays(tmp_path: Path) -> None:
    app = load_app(
        make_package(
            tmp_path,
            shop="""
        from portable import http, queue
        later = queue("later", delays=True)
        now = queue("now")
        unused = queue("unused", delays=True)

        @http("POST /jobs", writes=[later, now])
        def enqueue(request): ...

        @later.on_message
        def work_later(message): ...

        @now.on_message
        def work_now(message): ...
    """,
        )
    )
    assert list(app.delayed_queues) == ["later"]
    assert app.delayed_queues["later"].endswith("shop.py:3")


SHARED = {
    "a queue with two consumers": (
        """
        from portable import queue
        jobs = queue("jobs")

        @jobs.on_message
        def first(message): ...

        @jobs.on_message
        def second(message): ...
    """,
        r"queue 'jobs' has 2 consumers.*declare a topic",
    ),
    "a name of two kinds": (
        """
        from portable import table, topic
        ledger = table("ledger-of-clashes")
        also = topic("ledger-of-clashes")
    """,
        "'ledger-of-clashes' is declared both as a table and as a topic",
    ),
    "a queue that only receives": (
        """
        from portable import http, queue
        jobs = queue("jobs")

        @http("POST /jobs", writes=[jobs])
        def enqueue(request): ...
    """,
        r"queue 'jobs' has no consumer, yet 'enqueue' \(.*shared.py:5\) use it.*@jobs.on_message",
    ),
    "a topic and a subscriber past 58 characters": (
        f"""
        from portable import topic
        news = topic("{"n" * 30}")

        @news.on_message(name="{"s" * 29}")
        def subscriber(message): ...
    """,
        r"shared.py:5 \(s{29}\): topic 'n{30}' and its subscriber 's{29}' have 59 characters together.*SQS takes "
        r"80 characters at most, so the two may take 58: give the topic or the function a shorter name",
    ),
}


@pytest.mark.parametrize(
    ("declaration", "said"),
    [
        ('bucket("google-photos")', "starts with 'goog'"),
        ('bucket("my-google-files")', "contains 'google'"),
        ('bucket("my-g00gle-files")', "contains 'g00gle'"),
        ('bucket("xn--files")', "starts with 'xn--'"),
        ('bucket("sthree-files")', "starts with 'sthree-'"),
        ('queue("goog-jobs")', "starts with 'goog'"),
        ('topic("googly")', "starts with 'goog'"),
    ],
)
def test_a_name_a_cloud_keeps_for_itself_is_refused_where_it_is_declared(
    declaration: str, said: str, tmp_path: Path
) -> None:
    source = f"""
        from portable import bucket, queue, topic
        handle = {declaration}
    """
    with pytest.raises(AppDefinitionError, match=rf"shared.py:3: .* {said}, which the clouds keep for themselves"):
        load_app(make_package(tmp_path, shared=source))


def test_names_the_clouds_do_not_reserve_are_fine(tmp_path: Path) -> None:
    source = """
        from portable import bucket, queue, table, topic
        photos = bucket("photos-of-geese")
        ledger = table("google-ledger")  # Firestore keeps no such names
        news = topic("news-from-google")
    """
    load_app(make_package(tmp_path, shared=source))


@pytest.mark.parametrize("case", sorted(SHARED))
def test_a_queue_has_one_consumer_and_a_name_one_kind(case: str, tmp_path: Path) -> None:
    source, message = SHARED[case]
    with pytest.raises(AppDefinitionError, match=message):
        load_app(make_package(tmp_path, shared=source))


def test_subscribers_and_consumers_are_described_as_plain_data(tmp_path: Path) -> None:
    source = """
        from portable import queue, topic
        jobs = queue("jobs")
        orders = topic("orders")

        @orders.on_message(writes=[jobs], timeout_seconds=20)
        def bill(message): ...

        @orders.on_message
        def email(message): ...

        @jobs.on_message(batch_size=3, max_attempts=9)
        def work(message): ...
    """
    app = load_app(make_package(tmp_path, shop=source))
    assert (app.queues, app.topics) == (["jobs"], ["orders"])
    assert [spec.name for spec in app.functions_of(MessageTrigger, "orders")] == ["bill", "email"]
    work = app.function("work")
    assert work.trigger == ("jobs", "queue", 3, 9) and work.kind == "message"  # type: ignore[comparison-overlap]
    bill = app.function("bill")
    assert bill.trigger == ("orders", "topic", 10, 5) and bill.timeout_seconds == 20  # type: ignore[comparison-overlap]
    assert bill.readable == {"orders", "jobs"} and bill.writes == {"jobs"}


def _package(tmp_path: Path, name: str, decorator_options: str) -> str:
    root = tmp_path / name
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "loop.py").write_text(
        textwrap.dedent(f"""
        from portable import bucket

        inbox = bucket("loop-inbox")

        @inbox.on_created(prefix="raw/", {decorator_options})
        def process(event):
            inbox.put("raw/" + event.key, b"again")
    """)
    )
    return name


def test_writing_into_the_triggering_bucket_is_refused_at_load(tmp_path: Path) -> None:
    package = _package(tmp_path, "loop_refused_pkg", "writes=[inbox]")
    with pytest.raises(AppDefinitionError, match="allow_self_trigger=True"):
        load_app(package, search_path=str(tmp_path))
    sys.path.remove(str(tmp_path))


def test_self_trigger_loads_when_opted_in(tmp_path: Path) -> None:
    package = _package(tmp_path, "loop_allowed_pkg", "writes=[inbox], allow_self_trigger=True")
    app = load_app(package, search_path=str(tmp_path))
    assert app.function("process").allow_self_trigger
    sys.path.remove(str(tmp_path))
