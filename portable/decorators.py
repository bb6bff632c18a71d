"""`@http`, `@schedule` and the bucket triggers: they describe a function and register it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from portable.app import FunctionSpec, HttpTrigger, ResourceSpec, ScheduleTrigger, Trigger, register_function
from portable.errors import AppDefinitionError
from portable.routes import RouteError, parse_route

Handler = TypeVar("Handler", bound=Callable[..., Any])
ResourceRef = Any  # a Bucket or Table handle, or its logical name


def _names(refs: Iterable[ResourceRef], where: str, option: str) -> tuple[frozenset[str], list[ResourceSpec]]:
    names: set[str] = set()
    specs: list[ResourceSpec] = []
    for ref in refs:
        spec = getattr(ref, "spec", None)
        if not isinstance(spec, ResourceSpec):
            raise AppDefinitionError(
                f"{where}: {option}= takes bucket(...) and table(...) handles, got {ref!r}; "
                f"declare it first, e.g. data = bucket('data'), then {option}=[data]"
            )
        names.add(spec.name)
        specs.append(spec)
    return frozenset(names), specs


def make_registrar(
    trigger: Trigger | Callable[[str], Trigger],
    *,
    name: str | None,
    reads: Iterable[ResourceRef],
    writes: Iterable[ResourceRef],
    requires: Iterable[str],
    memory_mb: int,
    timeout_seconds: int,
    allow_self_trigger: bool = False,
    trigger_resources: Iterable[ResourceSpec] = (),
) -> Callable[[Handler], Handler]:
    """The decorator shared by every trigger kind."""

    def register(handler: Handler) -> Handler:
        source = handler.__code__.co_filename
        where = f"{source}:{handler.__code__.co_firstlineno} ({handler.__name__})"
        function_name = name or handler.__name__
        if not function_name.replace("_", "").replace("-", "").isalnum() or not function_name[0].isalpha():
            raise AppDefinitionError(
                f"{where}: function name {function_name!r} must start with a letter and hold only "
                "letters, digits, '_' and '-'"
            )
        read_names, read_specs = _names(reads, where, "reads")
        write_names, write_specs = _names(writes, where, "writes")
        spec = FunctionSpec(
            name=function_name,
            module=handler.__module__,
            source_file=source,
            trigger=trigger(where) if callable(trigger) else trigger,
            reads=read_names,
            writes=write_names,
            requires=tuple(requires),
            memory_mb=memory_mb,
            timeout_seconds=timeout_seconds,
            allow_self_trigger=allow_self_trigger,
        )
        register_function(spec, handler, [*trigger_resources, *read_specs, *write_specs])
        return handler

    return register


def http(
    route: str,
    *,
    name: str | None = None,
    reads: Iterable[ResourceRef] = (),
    writes: Iterable[ResourceRef] = (),
    requires: Iterable[str] = (),
    memory_mb: int = 256,
    timeout_seconds: int = 30,
) -> Callable[[Handler], Handler]:
    """Serve `route` ("POST /hello", "GET /users/{id}") with the decorated function."""

    def trigger(where: str) -> Trigger:
        try:
            return HttpTrigger(parse_route(route))
        except RouteError as exc:
            raise AppDefinitionError(f"{where}: {exc}") from None

    return make_registrar(
        trigger, name=name, reads=reads, writes=writes, requires=requires,
        memory_mb=memory_mb, timeout_seconds=timeout_seconds,
    )


def schedule(
    cron: str | None = None,
    *,
    every: str | None = None,
    timezone: str = "UTC",
    name: str | None = None,
    reads: Iterable[ResourceRef] = (),
    writes: Iterable[ResourceRef] = (),
    requires: Iterable[str] = (),
    memory_mb: int = 256,
    timeout_seconds: int = 60,
) -> Callable[[Handler], Handler]:
    """Run the decorated function on a cron schedule in `timezone`, or `every` fixed interval."""

    from portable.schedules import ScheduleError, parse_schedule  # only scheduled functions pay for the grammar

    def trigger(where: str) -> Trigger:
        try:
            return ScheduleTrigger(parse_schedule(cron, every, timezone))
        except ScheduleError as exc:
            raise AppDefinitionError(f"{where}: {exc}") from None

    return make_registrar(
        trigger, name=name, reads=reads, writes=writes, requires=requires,
        memory_mb=memory_mb, timeout_seconds=timeout_seconds,
    )
