"""Declared access (portable/resources.py): a handle refuses what the running function did not declare."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from portable import AccessNotDeclared, AppDefinitionError, bucket, table
from portable.app import FunctionSpec
from portable.context import Invocation, current_invocation, using_clients
from portable.http_trigger import HttpTrigger
from portable.object_trigger import ObjectTrigger
from portable.routes import parse_route
from providers.local.clients import client_for

photos = bucket("perm-photos")
archive = bucket("perm-archive")
ledger = table("perm-ledger")


@pytest.fixture(autouse=True)
def local_clients(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path))
    with using_clients(client_for):
        yield


def running(spec: FunctionSpec) -> Any:
    class Running:
        def __enter__(self) -> None:
            self.token = current_invocation.set(Invocation(spec, client_for))

        def __exit__(self, *_: object) -> None:
            current_invocation.reset(self.token)

    return Running()


def spec(trigger: Any, reads: set[str] = frozenset(), writes: set[str] = frozenset()) -> FunctionSpec:  # type: ignore[assignment]
    return FunctionSpec("worker", "tests.fake", "functions/worker.py", trigger, frozenset(reads), frozenset(writes))


HTTP = HttpTrigger(parse_route("POST /work"))


def test_undeclared_read_names_the_declaration_to_add() -> None:
    with running(spec(HTTP)), pytest.raises(AccessNotDeclared) as caught:
        photos.get("a.jpg")
    message = str(caught.value)
    assert "reads=[bucket('perm-photos')]" in message and "functions/worker.py" in message


def test_undeclared_write_names_writes() -> None:
    with running(spec(HTTP, reads={"perm-ledger"})), pytest.raises(AccessNotDeclared, match=r"writes=\[table"):
        ledger.put("k", {"v": 1})
    with running(spec(HTTP, reads={"perm-ledger"})):
        assert ledger.get("k") is None


def test_reads_do_not_allow_writes_but_writes_allow_reads() -> None:
    with running(spec(HTTP, reads={"perm-photos"})), pytest.raises(AccessNotDeclared):
        photos.put("a.jpg", b"x")
    with running(spec(HTTP, writes={"perm-photos"})):
        photos.put("a.jpg", b"x")
        assert photos.get("a.jpg") == b"x"
        assert [info.key for info in photos.list()] == ["a.jpg"]


def test_the_trigger_bucket_is_readable_but_not_writable() -> None:
    photos.put("in.jpg", b"x")
    triggered = spec(ObjectTrigger("perm-photos", "created"), writes={"perm-archive"})
    with running(triggered):
        assert photos.get("in.jpg") == b"x"
        archive.put("out.jpg", b"y")
        with pytest.raises(AccessNotDeclared):
            photos.put("in.jpg", b"z")


def test_outside_a_function_nothing_is_checked() -> None:
    ledger.put("k", {"v": 1})
    assert ledger.get("k") == {"v": 1}


def test_a_buckets_signed_urls_follow_its_own_origins_else_the_apps(tmp_path: Path) -> None:
    from portable.loading import load_app
    from tests.support.packages import make_package

    app = load_app(
        make_package(
            tmp_path,
            web="""
            from portable import bucket, cors, http
            cors(allow_origins=["https://app.example.com"], max_age=60)
            photos = bucket("photos")
            private = bucket("private", cors=["https://admin.example.com"])

            @http("POST /upload", writes=[photos, private])
            def upload(request): ...
            """,
        )
    )
    assert app.bucket_cors == {"private": ("https://admin.example.com",)}
    photos, private = app.signed_url_cors("photos"), app.signed_url_cors("private")
    assert photos is not None and private is not None
    assert photos.allow_origins == ("https://app.example.com",) and private.allow_origins == (
        "https://admin.example.com",
    )
    assert photos.allow_methods == ("GET", "HEAD", "PUT") and photos.expose_headers == ("etag",)
    assert photos.max_age == 3600, "the bucket's own rule, not the API's"


def test_without_any_cors_a_buckets_signed_urls_take_no_pages_of_other_origins(tmp_path: Path) -> None:
    from portable.loading import load_app
    from tests.support.packages import make_package

    source = """
        from portable import bucket, http
        photos = bucket("photos")

        @http("POST /upload", writes=[photos])
        def upload(request): ...
    """
    assert load_app(make_package(tmp_path, web=source)).signed_url_cors("photos") is None


def test_two_modules_naming_different_origins_for_one_bucket_are_refused(tmp_path: Path) -> None:
    from portable.loading import load_app
    from tests.support.packages import make_package

    package = make_package(
        tmp_path,
        one="""
        from portable import bucket, http
        photos = bucket("photos", cors=["https://a.example"])

        @http("POST /a", writes=[photos])
        def a(request): ...
        """,
        two="""
        from portable import bucket
        photos = bucket("photos", cors=["https://b.example"])
        """,
    )
    with pytest.raises(
        AppDefinitionError,
        match=r"bucket 'photos' is declared with cors= \['https://a.example'\] at .*one.py:3 and "
        r"\['https://b.example'\] at .*two.py:3",
    ):
        load_app(package)


def test_a_buckets_origins_follow_the_origin_grammar() -> None:
    with pytest.raises(
        AppDefinitionError, match=r"test_resources.py:\d+ \(bucket 'photos', cors=\): origin 'https://\*.example.com'"
    ):
        bucket("photos", cors=["https://*.example.com"])
