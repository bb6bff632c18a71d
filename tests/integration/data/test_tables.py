"""The table contract, run against every backend: local SQLite, DynamoDB on moto, the Firestore emulator."""

from __future__ import annotations

import contextvars
import threading

import pytest

from portable import Conflict, InvalidKey, InvalidValue, NotFound, TooLarge, table
from portable.limits import TABLE_ITEM_MAX_BYTES
from tests.backends.fixtures import Backend

items = table("contract-items")
DOCUMENT = {
    "name": "Zoë",
    "count": 3,
    "ratio": 0.25,
    "ok": True,
    "none": None,
    "tags": ["a", "b"],
    "nested": {"deep": {"list": [1, {"x": "y"}]}},
}


@pytest.fixture
def store(backend: Backend) -> Backend:
    backend.provision(items.spec)
    return backend


def test_missing_key_reads_as_none(store: Backend) -> None:
    assert items.get("absent") is None
    assert items.get_item("absent") is None


def test_put_get_round_trip_keeps_every_json_type(store: Backend) -> None:
    version = items.put("doc", DOCUMENT)
    item = items.get_item("doc")
    assert item is not None
    assert (item.key, item.value, item.version) == ("doc", DOCUMENT, version)


def test_overwrite_replaces_the_whole_document(store: Backend) -> None:
    first = items.put("doc", {"a": 1, "b": 2})
    second = items.put("doc", {"c": 3})
    if store.provider == "gcp" and items.get("doc") != {"c": 3}:
        pytest.xfail("the npm Firestore emulator merges on set(); Firestore itself replaces the document")
    assert items.get("doc") == {"c": 3}
    assert first != second


def test_put_if_absent_refuses_an_existing_item(store: Backend) -> None:
    items.put("once", {"v": 1}, if_absent=True)
    with pytest.raises(Conflict, match="already exists"):
        items.put("once", {"v": 2}, if_absent=True)
    assert items.get("once") == {"v": 1}


def test_put_if_version_refuses_a_stale_version(store: Backend) -> None:
    stale = items.put("counter", {"n": 1})
    fresh = items.put("counter", {"n": 2}, if_version=stale)
    with pytest.raises(Conflict, match="version"):
        items.put("counter", {"n": 99}, if_version=stale)
    assert items.get("counter") == {"n": 2}
    items.put("counter", {"n": 3}, if_version=fresh)
    assert items.get("counter") == {"n": 3}
    with pytest.raises(Conflict):
        items.put("never-written", {"n": 1}, if_version=fresh)
    assert items.get("never-written") is None


def test_delete_and_conditional_delete(store: Backend) -> None:
    version = items.put("doomed", {"v": 1})
    items.put("doomed", {"v": 2})
    with pytest.raises(Conflict):
        items.delete("doomed", if_version=version)
    assert items.get("doomed") == {"v": 2}
    items.delete("doomed")
    assert items.get("doomed") is None
    items.delete("doomed")


def test_increment_creates_adds_and_keeps_other_fields(store: Backend) -> None:
    assert items.increment("hits", "n") == 1
    assert items.increment("hits", "n", 5) == 6
    items.put("page", {"title": "home"})
    assert items.increment("page", "views", 2) == 2
    assert items.get("page") == {"title": "home", "views": 2}
    assert items.increment("page", "views", -2) == 0


def test_concurrent_increments_lose_nothing(store: Backend) -> None:
    threads, each = 4, 8
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(each):
                items.increment("shared", "n")
        except BaseException as exc:  # surfaced below, in the test's thread
            errors.append(exc)

    # Each thread runs in a copy of this context, as a handler's own threads must, to see the bound clients.
    workers = [threading.Thread(target=contextvars.copy_context().run, args=(work,)) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert items.get("shared") == {"n": threads * each}


@pytest.mark.parametrize("key", ["with space", "a/b/c", "naïve ☃", "%2F", "__name__", ".", "..", "a%b"])
def test_awkward_keys_are_distinct_and_round_trip(store: Backend, key: str) -> None:
    items.put(key, {"key": key})
    items.put(key + "/", {"key": key + "/"})
    assert items.get(key) == {"key": key}
    assert {item.key for item in items.query(key)} == {key, key + "/"}


def test_query_by_prefix_pages_through_everything_once(store: Backend) -> None:
    keys = {f"user/{index:02d}" for index in range(7)}
    for key in [*keys, "users", "other/1"]:
        items.put(key, {"k": key})
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        page = items.query_page("user/", limit=3, token=token)
        assert len(page.items) <= 3
        seen.extend(item.key for item in page.items)
        pages += 1
        if page.next_token is None:
            break
        token = page.next_token
    assert sorted(seen) == sorted(keys)
    assert pages >= 3
    assert all(item.value == {"k": item.key} for item in items.query("user/", page_size=2))
    assert len(list(items.query())) == 9


def test_query_past_the_first_slash_is_in_key_order_and_shorter_prefixes_span_partitions(store: Backend) -> None:
    # On DynamoDB the first case is a Query on one partition, the second a Scan (see dynamodb.py).
    keys = ["day/10", "day/02", "day/2", "day/01/x", "day0", "dax/1"]
    for key in keys:
        items.put(key, {"k": key})
    assert [item.key for item in items.query("day/")] == ["day/01/x", "day/02", "day/10", "day/2"]
    assert [item.key for item in items.query("day/0")] == ["day/01/x", "day/02"]
    assert sorted(item.key for item in items.query("day")) == ["day/01/x", "day/02", "day/10", "day/2", "day0"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"m": [[1, 2]]}, "list directly inside a list"),
        ({"_version": 1}, "reserved"),
        ({"x": float("nan")}, "not a JSON number"),
        ({"x": 2**70}, "64 bits"),
        ({"x": {1, 2}}, "not JSON-compatible"),
        (["not", "a", "dict"], "must be a dict"),
    ],
)
def test_values_no_cloud_stores_alike_are_refused(store: Backend, value: object, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        items.put("bad", value)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ["", "x" * 501, "tab\there"])
def test_bad_keys_are_refused(store: Backend, key: str) -> None:
    with pytest.raises(InvalidKey, match="contract-items"):
        items.put(key, {})


def test_increment_of_a_text_field_is_refused_where_the_backend_can(store: Backend) -> None:
    items.put("label", {"n": "ten"})
    if store.provider == "gcp":
        pytest.skip("Firestore's increment replaces a non-number with the amount (documented in the README)")
    with pytest.raises(InvalidValue):
        items.increment("label", "n")


def test_item_over_the_strictest_cloud_limit_is_too_large_everywhere(store: Backend) -> None:
    with pytest.raises(TooLarge, match="at most 400000"):
        items.put("huge", {"blob": "x" * 400_000})
    assert items.get("huge") is None
    fits = "x" * (TABLE_ITEM_MAX_BYTES - 100)
    items.put("large", {"blob": fits})
    assert items.get("large") == {"blob": fits}, "an item just under the portable limit fits every backend"


def test_text_that_is_not_unicode_and_too_deep_nesting_are_refused(store: Backend) -> None:
    with pytest.raises(InvalidValue, match="lone surrogate"):
        items.put("bad", {"name": "\ud800"})
    deep: object = "x"
    for _ in range(25):
        deep = {"d": deep}
    with pytest.raises(InvalidValue, match="nest at most 20"):
        items.put("bad", {"deep": deep})
    assert items.get("bad") is None


def test_missing_table_is_not_found(backend: Backend) -> None:
    if backend.provider != "aws":
        pytest.skip("local tables and Firestore collections come into being on first write")
    backend.point_at_missing(items.spec)
    with pytest.raises(NotFound, match="does not exist"):
        items.get("x")
