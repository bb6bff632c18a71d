"""Deploy-time steps both clouds share: a function's environment and the compiled schedules."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pulumi

from portable.app import App, FunctionSpec, ResourceSpec, ScheduleTrigger
from portable.context import physical_name_variable
from portable.errors import AppDefinitionError
from portable.schedules import Schedule


def function_environment(
    spec: FunctionSpec, physical_names: Mapping[ResourceSpec, pulumi.Input[str]], **extra: pulumi.Input[str]
) -> dict[str, pulumi.Input[str]]:
    """PORTABLE_FUNCTION, PORTABLE_MODULE, `extra`, and the physical name of every resource the function uses."""
    variables: dict[str, pulumi.Input[str]] = {"PORTABLE_FUNCTION": spec.name, "PORTABLE_MODULE": spec.module, **extra}
    for resource, name in sorted(physical_names.items(), key=lambda item: item[0].name):
        if resource.name in spec.uses:
            variables[physical_name_variable(resource)] = name
    return variables


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
