"""What a cloud plans before it registers a resource: its schedules, compiled."""

from __future__ import annotations

from collections.abc import Callable

from portable.app import App, ScheduleTrigger
from portable.errors import AppDefinitionError
from portable.schedules import Schedule


def compile_schedules(
    app: App, compiler: Callable[[Schedule], tuple[str, str]], service: str
) -> dict[str, tuple[str, str]]:
    """Every schedule's (expression, time zone) for `service`; one it cannot express stops the deploy."""
    compiled: dict[str, tuple[str, str]] = {}
    for spec in app.schedule_functions():
        trigger = spec.trigger
        assert isinstance(trigger, ScheduleTrigger)
        try:
            compiled[spec.name] = compiler(trigger.schedule)
        except ValueError as exc:
            raise AppDefinitionError(
                f"{spec.source_file}: the schedule of {spec.name!r} ({trigger.schedule.describe()}) cannot run on "
                f"{service}: {exc}"
            ) from None
    return compiled
