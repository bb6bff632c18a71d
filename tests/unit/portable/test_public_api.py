"""The public API: every name `portable` exports resolves, and type checkers see the same names."""

from __future__ import annotations

import ast
from pathlib import Path

import portable

INIT = Path(portable.__file__)


def test_every_public_name_resolves_to_its_home() -> None:
    for name in portable.__all__:
        value = getattr(portable, name)
        assert value is not None, name
    assert portable.log.info is not None, "portable.log is the logging module"
    assert portable.http.__module__ == "portable.http_trigger"


def test_type_checkers_see_exactly_the_public_names() -> None:
    tree = ast.parse(INIT.read_text())
    guarded = next(node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    seen = {
        alias.asname or alias.name for node in guarded.body if isinstance(node, ast.ImportFrom) for alias in node.names
    }
    assert seen == set(portable.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        portable.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("portable.no_such_thing resolved")


def test_names_exported_by_portable_stay_callable_after_submodules_load() -> None:
    import portable
    import portable.decorators  # noqa: F401 (loading the submodules is the point)
    import portable.request  # noqa: F401
    import portable.schedules  # noqa: F401
    from portable import Request, http, schedule

    assert callable(http) and callable(schedule) and isinstance(Request, type)
    assert set(portable.__all__) == set(portable._HOMES)
    for name in portable.__all__:
        assert getattr(portable, name) is not None
