"""The App description: plain data about every function, trigger, resource and permission.

Decorators in `functions/` register here as their modules are imported; `load_app`
imports the package and checks the whole picture. Deploy code and the local runner
read the App; runtime shims use `load_function` to import just one module.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable

from portable.errors import AppDefinitionError
from portable.retries import DEFAULT_RETRIES, RetryPolicy
from portable.routes import Route
from portable.runtime_typing import TYPE_CHECKING, Generic, NamedTuple, TypeVar

if TYPE_CHECKING:
    from types import FrameType
    from typing import Any, Literal, TypeGuard

    from portable.auth import JwtAuth
    from portable.cors_policy import Cors
    from portable.events import ObjectEvent
    from portable.http_types import HttpTypes
    from portable.messages import MessagePolicy
    from portable.schedules import Schedule

if TYPE_CHECKING:
    ResourceKind = Literal["bucket", "table", "secret", "queue", "topic"]
    MessageSourceKind = Literal["queue", "topic"]
else:
    ResourceKind = MessageSourceKind = str


class HttpTrigger(NamedTuple):
    route: Route
    auth: JwtAuth | None = None  # the issuer whose token the route requires; None: open to anyone
    types: HttpTypes | None = None  # a typed handler's declarations (portable.http_types); None: a plain handler

    def auth_for(self, method: str) -> JwtAuth | None:
        """The issuer whose verified caller a call of `method` must carry: `auth` on every method the route serves,
        OPTIONS included; None for a method it does not serve. Only then does a shim read the gateway's word on
        the caller: on AWS, on GCP (every such operation carries `security`) and locally alike."""
        return self.auth if self.route.allows(method) else None


class ObjectTrigger(NamedTuple):
    bucket: str
    kind: Literal["created", "deleted"]
    prefix: str = ""
    suffix: str = ""

    def matches(self, key: str) -> bool:
        return key.startswith(self.prefix) and key.endswith(self.suffix)

    def accepts(self, event: ObjectEvent) -> bool:
        """Whether this trigger wants `event`: its bucket, its kind, a key within prefix and suffix."""
        return event.bucket == self.bucket and event.kind == self.kind and self.matches(event.key)


class ScheduleTrigger(NamedTuple):
    """A schedule as declared; `where` (file:line) names the declaration in refusals.

    A deployed function never parses it: the deploy checked and compiled it, and the shim
    needs only the function's name and the firing's time. `load_app` checks every one.
    """

    cron: str | None
    every: str | None
    timezone: str
    where: str

    @property
    def schedule(self) -> Schedule:
        from portable.schedules import checked_schedule

        return checked_schedule(self.cron, self.every, self.timezone, self.where)


class MessageTrigger(NamedTuple):
    """Messages from a queue (one consumer) or a topic (each subscriber gets every message)."""

    source: str
    kind: MessageSourceKind
    batch_size: int
    max_attempts: int

    @property
    def policy(self) -> MessagePolicy:
        from portable.messages import MessagePolicy

        return MessagePolicy(self.max_attempts)


Trigger = HttpTrigger | ObjectTrigger | ScheduleTrigger | MessageTrigger
TriggerT = TypeVar("TriggerT", bound=Trigger, covariant=True)


class ResourceSpec(NamedTuple):
    kind: ResourceKind
    name: str


class Function(NamedTuple, Generic[TriggerT]):
    """One deployable function. `reads`/`writes` hold logical resource names.

    The App hands out typed views (`HttpFunction`, `ObjectFunction`, `ScheduleFunction`), so a
    caller reads `spec.trigger.route` without checking the trigger kind again. `retries` applies
    to object and schedule functions; HTTP callers see their failures and retry themselves.
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

    @property
    def where(self) -> str:
        """`file:line` of the declaration, as every refusal names it."""
        return f"{self.source_file}:{self.line}" if self.line else self.source_file

    @property
    def trigger_name(self) -> str:
        """`http`, `object`, `schedule` or `message`: what logs and messages call the trigger kind."""
        return type(self.trigger).__name__.removesuffix("Trigger").lower()

    @property
    def readable(self) -> frozenset[str]:
        """What the function may read: its declarations plus the bucket that triggers it."""
        if isinstance(self.trigger, ObjectTrigger):
            return self.reads | self.writes | {self.trigger.bucket}
        if isinstance(self.trigger, MessageTrigger):
            return self.reads | self.writes | {self.trigger.source}
        return self.reads | self.writes

    @property
    def uses(self) -> frozenset[str]:
        return self.readable | self.writes


FunctionSpec = Function[Trigger]
"""One function of the App, as plain data: its name, module and source file, its trigger, the resources it reads and
writes, the packages it requires, its memory, timeout, retry policy and settings. `HttpFunction`, `ObjectFunction`,
`ScheduleFunction` and `MessageFunction` are the same with the trigger's kind known."""
HttpFunction = Function[HttpTrigger]
ObjectFunction = Function[ObjectTrigger]
ScheduleFunction = Function[ScheduleTrigger]
MessageFunction = Function[MessageTrigger]


class _Registration(NamedTuple):
    spec: FunctionSpec
    handler: Callable[..., Any]
    resources: list[ResourceSpec]


_registrations: dict[tuple[str, str], _Registration] = {}
_resources: dict[str, ResourceSpec] = {}
_app_settings: dict[str, dict[str, tuple[str, str]]] = {}  # module -> setting -> (value, where), by portable.app_env
# module -> resource name -> the resource and where the module declared it (a bucket(...), a secret(...), ...)
_declared_resources: dict[str, dict[str, tuple[ResourceSpec, str]]] = {}
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
    """Everything `functions/` declares, checked for consistency.

    Attributes:
        functions: Every function, by name.
        resources: Every bucket, table, queue, topic and secret, by name.
        handlers: Every function's handler, by name.
        env: The app-wide settings (`portable.app_env`); a function's own `env=` wins over them.
        delayed_queues: The queues declared with `delays=True`, and where.
        cors: The App's CORS policy, if it declares one (`portable.cors`).
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
        return sorted(name for name, spec in self.resources.items() if spec.kind == "bucket")

    @property
    def tables(self) -> list[str]:
        """The names of the declared tables, sorted."""
        return sorted(name for name, spec in self.resources.items() if spec.kind == "table")

    @property
    def secrets(self) -> list[str]:
        """The names of the declared secrets, sorted."""
        return sorted(name for name, spec in self.resources.items() if spec.kind == "secret")

    @property
    def queues(self) -> list[str]:
        """The names of the declared queues, sorted."""
        return sorted(name for name, spec in self.resources.items() if spec.kind == "queue")

    @property
    def topics(self) -> list[str]:
        """The names of the declared topics, sorted."""
        return sorted(name for name, spec in self.resources.items() if spec.kind == "topic")

    def message_functions(self, source: str | None = None) -> list[MessageFunction]:
        """The functions that receive messages (from `source`, a queue or topic, if given), by name."""
        return sorted(
            (
                spec
                for spec in self.functions.values()
                if has_trigger(spec, MessageTrigger) and source in (None, spec.trigger.source)
            ),
            key=lambda spec: spec.name,
        )

    def http_functions(self) -> list[HttpFunction]:
        """The functions that serve HTTP routes."""
        return [spec for spec in self.functions.values() if has_trigger(spec, HttpTrigger)]

    def object_functions(self, bucket: str | None = None) -> list[ObjectFunction]:
        """The functions that object events trigger (those of `bucket`, if given)."""
        return [
            spec
            for spec in self.functions.values()
            if has_trigger(spec, ObjectTrigger) and bucket in (None, spec.trigger.bucket)
        ]

    def auths(self) -> list[JwtAuth]:
        """Every JwtAuth a route requires, each once, by name."""
        found = {spec.trigger.auth.name: spec.trigger.auth for spec in self.http_functions() if spec.trigger.auth}
        return [found[name] for name in sorted(found)]

    def schedule_functions(self) -> list[ScheduleFunction]:
        """The functions that run on a schedule."""
        return [spec for spec in self.functions.values() if has_trigger(spec, ScheduleTrigger)]

    def route(self, method: str, path: str) -> tuple[HttpFunction | None, list[str]]:
        """The function the clouds' gateways call for (method, path): among the routes whose path matches, the most
        specific path (literal text before a parameter, a greedy one last), and on it the method itself before ANY.
        Else None, and the methods the matching paths take (for a 405)."""
        matching = [spec for spec in self.http_functions() if spec.trigger.route.match(path) is not None]
        matching.sort(key=lambda spec: spec.trigger.route.specificity, reverse=True)
        for shape in dict.fromkeys(spec.trigger.route.path_shape for spec in matching):
            methods = {spec.trigger.route.method: spec for spec in matching if spec.trigger.route.path_shape == shape}
            chosen = methods.get(method.upper()) or methods.get("ANY")
            if chosen is not None:
                return chosen, []
        return None, sorted({spec.trigger.route.method for spec in matching})

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


def has_trigger(spec: FunctionSpec, kind: type[TriggerT]) -> TypeGuard[Function[TriggerT]]:
    """Whether `spec` is triggered by a `kind`; narrows it to that typed view."""
    return isinstance(spec.trigger, kind)


def _build_app(registrations: list[_Registration]) -> App:
    app = App()
    routes: dict[str, HttpFunction] = {}
    cloud_names: dict[str, FunctionSpec] = {}
    for registration in registrations:
        spec = registration.spec
        if spec.name in app.functions:
            other = app.functions[spec.name]
            raise AppDefinitionError(
                f"two functions are named {spec.name!r}: {other.where} and {spec.where}; "
                "rename one, or pass name='...' to its decorator"
            )
        cloud_name = spec.name.lower().replace("_", "-")
        if cloud_name in cloud_names:
            other = cloud_names[cloud_name]
            raise AppDefinitionError(
                f"functions {other.name!r} ({other.where}) and {spec.name!r} ({spec.where}) would "
                f"both be named {cloud_name!r} on GCP, which allows only lower-case letters, digits and '-'; "
                "rename one, or pass name='...' to its decorator"
            )
        cloud_names[cloud_name] = spec
        if has_trigger(spec, HttpTrigger):
            shape = spec.trigger.route.shape
            if shape in routes:
                clash = routes[shape]
                raise AppDefinitionError(
                    f"route {spec.trigger.route.key!r} at {spec.where} ({spec.name}) clashes with "
                    f"{clash.trigger.route.key!r} at {clash.where} ({clash.name}); "
                    "give one of them another method or path"
                )
            routes[shape] = spec
        app.functions[spec.name] = spec
        app.handlers[spec.name] = registration.handler
        for resource in registration.resources:
            app.resources[resource.name] = resource
    for spec in app.object_functions():
        _refuse_self_trigger(spec)
    _refuse_auth_name_clash(app.http_functions())
    for schedule_spec in app.schedule_functions():
        schedule_spec.trigger.schedule  # noqa: B018 (parsing it is the check)
    _refuse_shared_queues(app)
    _refuse_queues_without_consumer(app)
    _refuse_long_subscriber_names(app)
    return app


def _refuse_auth_name_clash(specs: list[HttpFunction]) -> None:
    auths: dict[str, HttpFunction] = {}
    for spec in specs:
        auth = spec.trigger.auth
        other = auths.setdefault(auth.name, spec) if auth else spec
        if auth and other.trigger.auth != auth:
            raise AppDefinitionError(
                f"{spec.where} ({spec.name}) and {other.where} ({other.name}) require two different "
                f"jwt_auth(...) named {auth.name!r}; the stack's config and the gateways tell them apart by name: "
                "pass name='...' to one of them"
            )


def _refuse_queues_without_consumer(app: App) -> None:
    """SQS would keep a message nobody reads for days, Pub/Sub would drop it, the runner too: refused everywhere."""
    for queue in app.queues:
        if not app.message_functions(queue):
            senders = ", ".join(
                f"{spec.name!r} ({spec.where})" for spec in app.functions.values() if queue in spec.uses
            )
            raise AppDefinitionError(
                f"queue {queue!r} has no consumer, yet {senders} use it: nothing would ever read its messages "
                f"(SQS would keep them for days, Pub/Sub would drop them). Declare one with @{queue}.on_message, "
                "or stop sending to it"
            )


def _refuse_long_subscriber_names(app: App) -> None:
    from portable.limits import SQS_QUEUE_NAME_MAX_CHARS, TOPIC_SUBSCRIBER_NAMES_MAX_CHARS

    for topic in app.topics:
        for spec in app.message_functions(topic):
            if len(topic) + len(spec.name) > TOPIC_SUBSCRIBER_NAMES_MAX_CHARS:
                raise AppDefinitionError(
                    f"{spec.where} ({spec.name}): topic {topic!r} and its subscriber {spec.name!r} have "
                    f"{len(topic) + len(spec.name)} characters together; the subscriber's SQS queues are named after "
                    f"both, and SQS takes {SQS_QUEUE_NAME_MAX_CHARS} characters at most, so the two may take "
                    f"{TOPIC_SUBSCRIBER_NAMES_MAX_CHARS}: give the topic or the function a shorter name"
                )


def _refuse_shared_queues(app: App) -> None:
    for queue in app.queues:
        consumers = app.message_functions(queue)
        if len(consumers) > 1:
            names = ", ".join(f"{spec.name!r} ({spec.where})" for spec in consumers)
            raise AppDefinitionError(
                f"{consumers[-1].where}: queue {queue!r} has {len(consumers)} consumers: {names}; a queue hands "
                f"each message to one consumer. Keep one @{queue}.on_message, or declare a topic(...) instead: every "
                "subscriber of a topic gets every message"
            )


def _refuse_self_trigger(spec: ObjectFunction) -> None:
    trigger = spec.trigger
    if trigger.bucket in spec.writes and not spec.allow_self_trigger:
        raise AppDefinitionError(
            f"{spec.where}: function {spec.name!r} writes to bucket {trigger.bucket!r}, which triggers it "
            f"(prefix {trigger.prefix!r}, suffix {trigger.suffix!r}); each write would call it again. Write to "
            "another bucket, or pass allow_self_trigger=True if the handler cannot loop"
        )


def load_app(package: str = "functions", search_path: str | None = None) -> App:
    """Import every module of `package` and return the checked App."""
    if search_path is not None and search_path not in sys.path:
        sys.path.insert(0, search_path)
    try:
        root = importlib.import_module(package)
    except ModuleNotFoundError as exc:
        raise AppDefinitionError(
            f"cannot import the package {package!r} ({exc}); run from the project root, where functions/ is"
        ) from None
    for folder in getattr(root, "__path__", []):
        refuse_framework_shadowing(os.path.dirname(folder))
    import pkgutil  # only the deploy half and the local runner walk the whole package

    modules = [package]
    for info in pkgutil.walk_packages(getattr(root, "__path__", []), prefix=f"{package}."):
        importlib.import_module(info.name)
        modules.append(info.name)
    wanted = set(modules)
    registrations = [reg for (module, _), reg in sorted(_registrations.items()) if module in wanted]
    app = _build_app(registrations)
    app.env = declared_app_settings(wanted)
    app.delayed_queues = declared_delayed_queues(wanted, app.queues)
    app.bucket_cors = declared_bucket_cors(wanted, app.buckets)
    app.unused = declared_unused(wanted, app.resources)
    from portable.cors_policy import declared_for

    app.cors = declared_for(package)
    if app.cors is not None:
        _refuse_any_route_with_auth(app.http_functions())
    return app


FRAMEWORK_PACKAGES = ("portable", "providers")


def refuse_framework_shadowing(project: str) -> None:
    """Refuse an app folder holding its own top-level `portable` or `providers`: it would be imported in place of
    the framework, from the project's root on sys.path and from the root of every archive."""
    framework = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if os.path.realpath(project) == os.path.realpath(framework):
        return  # the framework's own checkout, which is also the reference app
    for package in FRAMEWORK_PACKAGES:
        for name in (package, f"{package}.py"):
            path = os.path.join(project, name)
            if os.path.exists(path):
                raise AppDefinitionError(
                    f"{path}: the app has its own top-level {name!r}, which would be imported in place of the "
                    f"framework's {package!r} package (from the project's root and from the root of every archive); "
                    f"rename it, e.g. to 'app_{package}', or move it into functions/, and update its imports"
                )


def _refuse_any_route_with_auth(specs: list[HttpFunction]) -> None:
    """With CORS, API Gateway on AWS sends a browser's preflight to a route that takes OPTIONS, and its JWT
    authorizer refuses it (a preflight carries no token): refused everywhere, as every limit is."""
    for spec in specs:
        route = spec.trigger.route
        if spec.trigger.auth is not None and route.allows("OPTIONS"):
            raise AppDefinitionError(
                f"{spec.where} ({spec.name}): route {route.key!r} requires auth and takes OPTIONS, so with "
                "portable.cors(...) browsers' preflights would meet the token check on AWS and fail; declare the "
                f"methods it serves instead, e.g. 'GET {route.path}'"
            )


def load_function(name: str, module: str | None = None) -> tuple[FunctionSpec, Callable[..., Any]]:
    """Import only `module` (fast, for cold starts) or else the whole App; return one function."""
    if module is None:
        app = load_app()
        return app.function(name), app.handlers[name]
    importlib.import_module(module)
    registration = _registrations.get((module, name))
    if registration is None:
        raise AppDefinitionError(f"module {module!r} defines no function named {name!r}")
    return registration.spec, registration.handler
