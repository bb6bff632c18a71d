"""Table change declarations, their refusals at load, and the kind's delivery rule (which changes a trigger takes,
a change's record, the end of retries where the platform does not count them, the sample `portable invoke` sends)."""

from __future__ import annotations

import itertools
import re
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from portable import TableChange
from portable.app import App, ResourceSpec
from portable.change_trigger import (
    ChangeTrigger,
    change_of,
    from_record,
    receivers,
    retries_ended,
    sample,
    to_record,
)
from portable.errors import AppDefinitionError, ConfigurationError, MalformedEvent
from portable.loading import load_app
from providers.local.clients import client_for
from tests.support.codecs import bound

_packages = itertools.count()
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def app_of(tmp_path: Path, source: str) -> App:
    """The App of a fresh package whose one module is `source`."""
    name = f"changepkg{next(_packages)}"
    (tmp_path / name).mkdir()
    (tmp_path / name / "__init__.py").write_text("")
    (tmp_path / name / "handlers.py").write_text(textwrap.dedent(source))
    try:
        return load_app(name, search_path=str(tmp_path))
    finally:
        sys.path.remove(str(tmp_path))


DECLARATIONS = """
    from portable import TableChange, table

    items = table("items")
    other = table("other")


    @items.on_created(prefix="orders/", batch_size=3, max_attempts=9)
    def created(change: TableChange) -> None: ...


    @items.on_updated
    def updated(change: TableChange) -> None: ...


    @other.on_deleted(prefix="old/")
    def deleted(change: TableChange) -> None: ...


    @other.on_written
    def written(change: TableChange) -> None: ...
"""


def test_each_declaration_becomes_a_trigger_of_its_kinds_with_the_message_defaults(tmp_path: Path) -> None:
    app = app_of(tmp_path, DECLARATIONS)
    triggers = {name: spec.trigger for name, spec in app.functions.items()}
    assert triggers == {
        "created": ChangeTrigger("items", "created", "orders/", 3, 9),
        "updated": ChangeTrigger("items", "updated", "", 10, 5),
        "deleted": ChangeTrigger("other", "deleted", "old/", 10, 5),
        "written": ChangeTrigger("other", "written", "", 10, 5),
    }
    assert {name: trigger.kinds for name, trigger in triggers.items()} == {
        "created": ("created",),
        "updated": ("updated",),
        "deleted": ("deleted",),
        "written": ("created", "updated", "deleted"),
    }
    assert sorted(app.tables) == ["items", "other"]
    assert all(spec.kind == "change" for spec in app.functions.values())
    assert app.function("created").trigger.policy.attempts == 9


def test_changes_reach_the_functions_of_their_table_kind_and_prefix(tmp_path: Path) -> None:
    app = app_of(tmp_path, DECLARATIONS)

    def reached(table: str, key: str, old: dict[str, int] | None, new: dict[str, int] | None) -> list[str]:
        return [spec.name for spec in receivers(app, change_of(table, key, old, new, "c-1", NOW))]

    assert reached("items", "orders/1", None, {"n": 1}) == ["created"]
    assert reached("items", "other/1", None, {"n": 1}) == []
    assert reached("items", "orders/1", {"n": 1}, {"n": 2}) == ["updated"]
    assert reached("items", "orders/1", {"n": 1}, None) == []
    assert reached("other", "old/1", {"n": 1}, None) == ["deleted", "written"]
    assert reached("other", "new/1", {"n": 1}, None) == ["written"]
    assert reached("other", "old/1", None, {"n": 1}) == ["written"]


THREE_CONSUMERS = """
    from portable import TableChange, table

    items = table("items")


    @items.on_created
    def first(change: TableChange) -> None: ...


    @items.on_deleted
    def second(change: TableChange) -> None: ...


    @items.on_written(prefix="audit/")
    def third(change: TableChange) -> None: ...
"""


def test_a_third_change_function_on_one_table_is_refused_naming_dynamodbs_advice(tmp_path: Path) -> None:
    with pytest.raises(AppDefinitionError) as refused:
        app_of(tmp_path, THREE_CONSUMERS)
    message = str(refused.value)
    assert "table 'items' has 3 change functions: 'first' (" in message
    assert message.startswith(f"{tmp_path}") and message.count("handlers.py:") == 4, "where, and each one's line"
    assert "'second' (" in message and "'third' (" in message
    assert "DynamoDB advises at most two readers per stream shard" in message
    assert "Merge them into one function" in message


def test_two_change_functions_per_table_load_whatever_their_kinds(tmp_path: Path) -> None:
    app = app_of(tmp_path, THREE_CONSUMERS.replace("items.on_written", "table('audit').on_written"))
    assert sorted(app.functions) == ["first", "second", "third"]


@pytest.mark.parametrize(
    ("declaration", "refusal"),
    [
        (
            "@items.on_written(retries=RetryPolicy(attempts=2))",
            r"handlers.py:\d+ \(handler\): a table change function takes max_attempts= .* not retries=: its changes "
            "are delivered again until they reach the dead letters; remove retries=",
        ),
        ("@items.on_created(prefix=3)", r"prefix= takes the text every key of interest starts with, got 3"),
        ("@items.on_updated(batch_size=11)", r"batch_size=11 cannot run on AWS"),
        ("@items.on_deleted(max_attempts=4)", r"max_attempts=4 cannot run on GCP"),
        ("@items.on_written(writes=[items])", r"function 'handler' writes to table 'items', which triggers it"),
    ],
    ids=["retries", "prefix", "batch_size", "max_attempts", "self-trigger"],
)
def test_options_that_some_cloud_cannot_run_are_refused_at_load_with_the_declaration(
    tmp_path: Path, declaration: str, refusal: str
) -> None:
    source = f"""
        from portable import RetryPolicy, TableChange, table

        items = table("items")


        {declaration}
        def handler(change: TableChange) -> None: ...
    """
    with pytest.raises(AppDefinitionError, match=refusal):
        app_of(tmp_path, source)


def test_a_function_may_write_to_its_own_table_when_it_says_it_cannot_loop(tmp_path: Path) -> None:
    source = """
        from portable import TableChange, table

        items = table("items")


        @items.on_created(prefix="in/", writes=[items], allow_self_trigger=True)
        def handler(change: TableChange) -> None: ...
    """
    assert app_of(tmp_path, source).function("handler").writes == {"items"}


def test_a_change_kept_as_a_record_reads_back_the_same_and_a_wrong_field_is_named() -> None:
    change = change_of("items", "a/b", {"n": 1, "tags": ["x"]}, None, "c-1", NOW)
    assert change.kind == "deleted"
    record = to_record(change)
    assert record["time"] == "2026-05-01T12:00:00+00:00"
    assert from_record(record) == change
    for field, value, named in [
        ("kind", "written", "kind must be 'created', 'updated' or 'deleted', not 'written'"),
        ("old", [1], "old must be an item's value (a JSON object) or null"),
        ("key", 7, "key"),
        ("time", "yesterday", "time"),
    ]:
        with pytest.raises(MalformedEvent, match=re.escape(named)):
            from_record({**record, field: value})


def test_where_the_platform_does_not_count_deliveries_the_changes_age_ends_its_retries() -> None:
    trigger = ChangeTrigger("items", "written", "", 10, 5)
    function = bound(trigger, "audit")
    policy = trigger.policy

    def ended(age_seconds: float, attempted: bool = True) -> str | None:
        change = change_of("items", "k", None, {}, "c-1", datetime.now(UTC) - timedelta(seconds=age_seconds))
        return retries_ended(function, change, attempted)

    fifth = sum(policy.delay_before(attempt) for attempt in range(2, 6))
    assert ended(0) is None
    assert ended(fifth - 5) is None
    assert (reason := ended(fifth + 5)) is not None and reason.startswith("it failed at delivery 5 of 5")
    assert ended(fifth + 5, attempted=False) is None
    assert ended(24 * 3600 + 5, attempted=False) == "older than the 86400 s a change is kept"


def test_the_sample_change_is_of_a_kind_the_trigger_listens_to_from_the_stored_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))
    app = app_of(tmp_path, DECLARATIONS)
    created, notes = sample(app.function("created"), {}, client_for)
    assert (created.table, created.key, created.kind, created.old, created.new, notes) == (
        "items",
        "orders/example",
        "created",
        None,
        {},
        [],
    )
    updated, notes = sample(app.function("updated"), {"key": "k", "body": '{"n": 2}'}, client_for)
    assert (updated.kind, updated.old, updated.new) == ("updated", {}, {"n": 2})
    assert notes == ["the local table 'items' holds no 'k': the change's old value is an empty item"]
    client_for(ResourceSpec("table", "other")).put("old/x", {"n": 1}, False, None)
    deleted, notes = sample(app.function("deleted"), {"key": "old/x"}, client_for)
    assert (deleted.kind, deleted.old, deleted.new, notes) == ("deleted", {"n": 1}, None, [])
    written, _ = sample(app.function("written"), {"key": "old/x", "body": '{"n": 5}'}, client_for)
    assert (written.kind, written.old, written.new) == ("updated", {"n": 1}, {"n": 5})
    assert isinstance(written, TableChange) and written.id != deleted.id
    with pytest.raises(ConfigurationError, match="--body must be the item's new value as a JSON object"):
        sample(app.function("written"), {"body": "[1]"}, client_for)
