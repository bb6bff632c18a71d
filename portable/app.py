"""The App description: plain data about every function, its trigger, resources and permissions.

Decorators in `functions/` register here as their modules are imported; `portable.loading.load_app`
imports the package and checks the whole picture. Deploy code and the local runner read the App;
runtime shims use `load_function` to import just one module. A trigger is described by its kind's
module (`portable/<kind>_trigger.py`, listed in `portable/triggers.py`); this module knows triggers
only by what every kind has: the resource they come from (`source`) and their kind's name.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable

from portable.errors import AppDefinitionError
from portable.retries import DEFAULT_RETRIES, RetryPolicy
from portable.runtime_typing import TYPE_CHECKING, Generic, NamedTuple, TypeVar

if TYPE_CHECKING:
    from types import FrameType
    from typing import Any, Literal, Protocol, TypeGuard

    from portable.cors_policy import Cors
    from portable.idempotency import Idempotency

    ResourceKind = Literal["bucket", "table", "secret", "queue", "topic"]
    MessageSourceKind = Literal["queue", "topic"]

    class Trigger(Protocol):
        """What every kind's trigger has: the logical name of the resource that triggers it and that resource's
        kind, if any, why it refuses `retries=`, if it does, and the one parameter every target calls a plain
        handler with (`request: Request`; None where the handler's parameters are checked otherwise)."""

        @property
        def source(self) -> str | None: ...

        @property
        def source_kind(self) -> ResourceKind | None: ...

        @property
        def retries_refusal(self) -> str | None: ...

        @property
        def handler_parameter(self) -> str | None: ...

else:
    ResourceKind = MessageSourceKind = str

TriggerT = TypeVar("TriggerT", bound="Trigger", covariant=True)
KindT = TypeVar("KindT", bound="Trigger")


class MetricSpec(NamedTuple):
    """A metric declared with `portable.metric`: its name, CloudWatch unit, dimension names in order, and where it
    was declared."""

    name: str
    unit: str
    dimensions: tuple[str, ...]
    where: str


class ResourceSpec(NamedTuple):
    kind: ResourceKind
    name: str


class Function(NamedTuple, Generic[TriggerT]):
    """One deployable function. `reads`/`writes` hold logical resource names.

    Each kind's module names a typed view (`HttpFunction = Function[HttpTrigger]`, ...), so a caller reads
    `spec.trigger.route` without checking the trigger kind again. `retries` applies to the kinds that take
    `retries=` (objects and schedules); the others refuse it where they are declared.
    """

    name: str
    module: str
    source_file: str
    trigger: TriggerT
    reads: frozenset[str] = frozenset()
    writes: frozenset[str] = frozenset()
    requires: tuple[str, ...] = ()
    memory_mb: int = 256
    timeout_seconds: int = 30
    allow_self_trigger: bool = False
    retries: RetryPolicy = DEFAULT_RETRIES
    env: tuple[tuple[str, str], ...] = ()  # plain settings, (name, value) sorted by name; see portable.settings
    line: int = 0  # where the declaration starts in source_file: its decorator's line
    idempotency: Idempotency | None = None  # idempotent=: see portable.idempotency

    @property
    def where(self) -> str:
        """`file:line` of the declaration, as every refusal names it."""
        return f"{self.source_file}:{self.line}" if self.line else self.source_file

    @property
    def kind(self) -> str:
        """The trigger's kind (`http`, `object`, `schedule`, `message`, `change`): its module, codecs and logs."""
        return kind_of(self.trigger)

    @property
    def readable(self) -> frozenset[str]:
        """What the function may read: its declarations plus the resource that triggers it."""
        source = self.trigger.source
        return self.reads | self.writes | {source} if source else self.reads | self.writes

    @property
    def uses(self) -> frozenset[str]:
        return self.readable | self.writes


FunctionSpec = Function["Trigger"]
"""One function of the App, as plain data: its name, module and source file, its trigger, the resources it reads and
writes, the packages it requires, its memory, timeout, retry policy, settings and idempotency. Each kind's module
names the same with the trigger's kind known (`HttpFunction`, `ObjectFunction`, `ScheduleFunction`, `MessageFunction`,
`ChangeFunction`)."""


def kind_of(trigger: object) -> str:
    """The kind of a trigger, named after its class: HttpTrigger is `http`, ChangeTrigger `change`."""
    return type(trigger).__name__.removesuffix("Trigger").lower()


class _Registration(NamedTuple):
    spec: FunctionSpec
    handler: Callable[..., Any]
    resources: list[ResourceSpec]


_registrations: dict[tuple[str, str], _Registration] = {}
_resources: dict[str, ResourceSpec] = {}
_app_settings: dict[str, dict[str, tuple[str, str]]] = {}  # module -> setting -> (value, where), by portable.app_env
# module -> resource name -> the resource and where the module declared it (a bucket(...), a secret(...), ...)
_declared_resources: dict[str, dict[str, tuple[ResourceSpec, str]]] = {}
_metrics: dict[str, dict[str, MetricSpec]] = {}  # module -> metric name -> its declaration (portable.metric)
# module -> queue -> delays= -> where the module declared it so (portable.queue)
_queue_delays: dict[str, dict[str, dict[Any, str]]] = {}
# module -> bucket -> the origins its cors= names -> where the module declared it so (portable.bucket)
_bucket_cors: dict[str, dict[str, dict[Any, str]]] = {}


def register_resource(kind: ResourceKind, name: str) -> ResourceSpec:
    existing = _resources.get(name)
    if existing is not None and existing.kind != kind:
        raise AppDefinitionError(
            f"{caller_location()}: {name!r} is declared both as a {existing.kind} and as a {kind}; "
            "give one of them another name"
        )
    spec = existing or ResourceSpec(kind, name)
    _resources[name] = spec
    frame = _caller_frame()
    module = str(frame.f_globals.get("__name__")) if frame else ""
    _declared_resources.setdefault(module, {}).setdefault(name, (spec, caller_location()))
    return spec


def register_function(spec: FunctionSpec, handler: Callable[..., Any], resources: list[ResourceSpec]) -> None:
    _registrations[(spec.module, spec.name)] = _Registration(spec, handler, resources)


def registered(modules: set[str]) -> list[tuple[FunctionSpec, Callable[..., Any], list[ResourceSpec]]]:
    """Every function `modules` declare, with its handler and the resources it names, by module and name."""
    return [
        (registration.spec, registration.handler, registration.resources)
        for (module, _), registration in sorted(_registrations.items())
        if module in modules
    ]


def register_app_settings(module: str, values: dict[str, str], where: str) -> None:
    _app_settings.setdefault(module, {}).update((name, (value, where)) for name, value in values.items())


def declared_app_settings(modules: set[str] | None = None) -> dict[str, str]:
    """The app-wide settings declared by `modules`, where one name with two values is refused; without `modules`,
    those of every module loaded (at run time: `load_app` refused a clash before the deploy)."""
    merged: dict[str, str] = {}
    owner: dict[str, str] = {}
    for module in sorted(_app_settings.keys() if modules is None else modules & _app_settings.keys()):
        for name, (value, where) in _app_settings[module].items():
            if modules is not None and name in merged and merged[name] != value:
                raise AppDefinitionError(
                    f"app setting {name!r} is declared as {merged[name]!r} at {owner[name]} and as {value!r} at "
                    f"{where}; declare it once"
                )
            merged[name], owner[name] = value, where
    return merged


def declared_unused(modules: set[str], used: dict[str, ResourceSpec]) -> dict[str, tuple[ResourceSpec, str]]:
    """The resources `modules` declare that no function of `used` reads, writes or is triggered by, with where each
    is declared (the first declaration)."""
    unused: dict[str, tuple[ResourceSpec, str]] = {}
    for module in sorted(modules & _declared_resources.keys()):
        for name, declared in _declared_resources[module].items():
            if name not in used:
                unused.setdefault(name, declared)
    return unused


def register_metric(spec: MetricSpec) -> None:
    """Remember the metric the calling module declares."""
    frame = _caller_frame()
    module = str(frame.f_globals.get("__name__")) if frame else ""
    _metrics.setdefault(module, {})[spec.name] = spec


def declared_metrics(modules: set[str]) -> dict[str, MetricSpec]:
    """The metrics `modules` declare, by name; one name declared with two units or dimension lists is refused."""
    found: dict[str, MetricSpec] = {}
    for module in sorted(modules & _metrics.keys()):
        for name, spec in _metrics[module].items():
            other = found.setdefault(name, spec)
            if (other.unit, other.dimensions) != (spec.unit, spec.dimensions):
                raise AppDefinitionError(
                    f"metric {name!r} is declared at {other.where} and at {spec.where} with another unit or other "
                    "dimensions; declare it once, in a module the others import"
                )
    return dict(sorted(found.items()))


def _remember(registry: dict[str, dict[str, dict[Any, str]]], name: str, value: Any) -> None:
    """Remember that the calling module declared resource `name` with `value`, and where."""
    frame = _caller_frame()
    module = str(frame.f_globals.get("__name__")) if frame else ""
    registry.setdefault(module, {}).setdefault(name, {}).setdefault(value, caller_location())


def _gathered(registry: dict[str, dict[str, dict[Any, str]]], modules: set[str]) -> dict[str, dict[Any, str]]:
    """Each resource's values as `modules` declare them, each with where it was first declared so."""
    found: dict[str, dict[Any, str]] = {}
    for module in sorted(modules & registry.keys()):
        for name, declarations in registry[module].items():
            for value, where in declarations.items():
                found.setdefault(name, {}).setdefault(value, where)
    return found


def register_queue_delays(name: str, delays: bool) -> None:
    """Remember that the calling module declared queue `name` with or without delays."""
    _remember(_queue_delays, name, delays)


def declared_delayed_queues(modules: set[str], queues: list[str]) -> dict[str, str]:
    """The queues among `queues` that `modules` declare with delays=True, each with where; one queue declared both
    with and without delays is refused (a function that loads only its own module would follow its own)."""
    found = _gathered(_queue_delays, modules)
    delayed = {}
    for name in queues:
        declarations = found.get(name, {})
        if True in declarations and False in declarations:
            raise AppDefinitionError(
                f"queue {name!r} is declared with delays=True at {declarations[True]} and without at "
                f"{declarations[False]}; declare it the same way everywhere, e.g. once in a module the others import"
            )
        if True in declarations:
            delayed[name] = declarations[True]
    return delayed


def register_bucket_cors(name: str, origins: tuple[str, ...]) -> None:
    """Remember that the calling module declared bucket `name` with cors=`origins`."""
    _remember(_bucket_cors, name, origins)


def declared_bucket_cors(modules: set[str], buckets: list[str]) -> dict[str, tuple[str, ...]]:
    """The origins each of `buckets` names in its own cors=, as `modules` declare them; two different lists for one
    bucket are refused."""
    found = _gathered(_bucket_cors, modules)
    declared = {}
    for name in buckets:
        declarations = found.get(name, {})
        if len(declarations) > 1:
            places = " and ".join(f"{list(origins)} at {where}" for origins, where in declarations.items())
            raise AppDefinitionError(
                f"bucket {name!r} is declared with cors= {places}; declare its origins once, e.g. in a module the "
                "others import"
            )
        if declarations:
            declared[name] = next(iter(declarations))
    return declared


def _caller_frame() -> FrameType | None:
    """The first frame outside portable/ on the stack: where the user wrote the declaration."""
    package_dir = os.path.dirname(__file__)
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and os.path.dirname(frame.f_code.co_filename) == package_dir:
        frame = frame.f_back
    return frame


def caller_location() -> str:
    """`file:line` of the first frame outside portable/ on the stack: where the user wrote the declaration."""
    frame = _caller_frame()
    return f"{frame.f_code.co_filename}:{frame.f_lineno}" if frame else "<unknown>"


class App:
    """Everything `functions/` declares, checked for consistency (`portable.load_app` builds it).

    Attributes:
        functions: Every function, by name.
        resources: Every bucket, table, queue, topic and secret, by name.
        handlers: Every function's handler, by name.
        env: The app-wide settings (`portable.app_env`); a function's own `env=` wins over them.
        delayed_queues: The queues declared with `delays=True`, and where.
        cors: The App's CORS policy, if it declares one (`portable.cors`).
        metrics: Every metric declared with `portable.metric`, by name.
        bucket_cors: The origins each bucket declared with `cors=` names for its signed URLs.
        unused: The resources declared in the package that no function uses (so none is deployed), by name, with
            where each is declared.
    """

    def __init__(self) -> None:
        self.functions: dict[str, FunctionSpec] = {}
        self.resources: dict[str, ResourceSpec] = {}
        self.handlers: dict[str, Callable[..., Any]] = {}
        self.env: dict[str, str] = {}  # app-wide settings (portable.app_env); a function's own env= wins
        self.delayed_queues: dict[str, str] = {}  # queues declared with delays=True -> where
        self.cors: Cors | None = None
        self.metrics: dict[str, MetricSpec] = {}  # every metric declared (portable.metric), by name
        self.bucket_cors: dict[str, tuple[str, ...]] = {}
        self.unused: dict[str, tuple[ResourceSpec, str]] = {}

    def __repr__(self) -> str:
        return f"App(functions={sorted(self.functions)}, resources={sorted(self.resources)})"

    def signed_url_cors(self, bucket: str) -> Cors | None:
        """What pages of other origins may do with `bucket`'s signed URLs: its own cors= origins, else the App's
        CORS origins; None when neither is declared. Every target and both clouds' bucket settings follow it."""
        from portable.cors_policy import for_signed_urls

        origins = self.bucket_cors.get(bucket) or (self.cors.allow_origins if self.cors is not None else None)
        return for_signed_urls(origins) if origins else None

    def _named(self, kind: ResourceKind) -> list[str]:
        return sorted(name for name, spec in self.resources.items() if spec.kind == kind)

    def unused_warnings(self, shown: Callable[[str], str] = str) -> list[str]:
        """One sentence per resource declared that no function uses (`shown` writes where it is declared)."""
        return [
            f"{spec.kind} {name!r} is declared at {shown(where)} but no function uses it, so it is not deployed; add "
            "it to reads= or writes= of the functions that use it, or remove it"
            for name, (spec, where) in sorted(self.unused.items())
        ]

    @property
    def buckets(self) -> list[str]:
        """The names of the declared buckets, sorted."""
        return self._named("bucket")

    @property
    def tables(self) -> list[str]:
        """The names of the declared tables, sorted."""
        return self._named("table")

    @property
    def secrets(self) -> list[str]:
        """The names of the declared secrets, sorted."""
        return self._named("secret")

    @property
    def queues(self) -> list[str]:
        """The names of the declared queues, sorted."""
        return self._named("queue")

    @property
    def topics(self) -> list[str]:
        """The names of the declared topics, sorted."""
        return self._named("topic")

    def functions_of(self, trigger: type[KindT], source: str | None = None) -> list[Function[KindT]]:
        """The functions with a `trigger` (triggered by the resource `source`, if given), by name."""
        return sorted(
            (
                spec
                for spec in self.functions.values()
                if has_trigger(spec, trigger) and source in (None, spec.trigger.source)
            ),
            key=lambda spec: spec.name,
        )

    def function(self, name: str) -> FunctionSpec:
        """The function called `name`; AppDefinitionError naming the App's functions if there is none."""
        try:
            return self.functions[name]
        except KeyError:
            from portable.suggestions import did_you_mean

            known = ", ".join(sorted(self.functions)) or "none"
            raise AppDefinitionError(
                f"no function named {name!r}{did_you_mean(name, self.functions)}; the App defines: {known}"
            ) from None


def has_trigger(spec: FunctionSpec, kind: type[KindT]) -> TypeGuard[Function[KindT]]:
    """Whether `spec` is triggered by a `kind`; narrows it to that typed view."""
    return isinstance(spec.trigger, kind)


def refuse_self_trigger(spec: FunctionSpec, resource: ResourceKind, filters: str) -> None:
    """Refuse a function that writes to the resource triggering it (each write would call it again), unless it
    says it cannot loop (`allow_self_trigger=True`); `filters` says which of the resource's events it takes."""
    source = spec.trigger.source
    if source in spec.writes and not spec.allow_self_trigger:
        raise AppDefinitionError(
            f"{spec.where}: function {spec.name!r} writes to {resource} {source!r}, which triggers it "
            f"({filters}); each write would call it again. Write to another {resource}, or pass "
            "allow_self_trigger=True if the handler cannot loop"
        )


def load_function(name: str, module: str) -> tuple[FunctionSpec, Callable[..., Any]]:
    """Import only `module` (fast, for cold starts) and return its function `name` with the handler."""
    importlib.import_module(module)
    registration = _registrations.get((module, name))
    if registration is None:
        raise AppDefinitionError(f"module {module!r} defines no function named {name!r}")
    return registration.spec, registration.handler
