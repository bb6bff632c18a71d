"""What every trigger's decorator shares: the function options (`FunctionOptions`) and the registrar.

Each kind's decorator (`@http`, `@schedule`, `bucket.on_created`, `queue.on_message`, `table.on_created`, ...)
lives in its kind's module and registers its function through `make_registrar`, so every decorator takes
the same options, checked the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from portable.app import Function, ResourceSpec, register_function
from portable.errors import AppDefinitionError
from portable.retries import DEFAULT_RETRIES, RetryPolicy
from portable.runtime_typing import TYPE_CHECKING, TypedDict
from portable.settings import check_env, check_memory, check_timeout

if TYPE_CHECKING:
    from typing import Any, Protocol, TypeVar

    from portable.app import Trigger
    from portable.idempotency import Idempotency

    class ResourceRef(Protocol):
        """A bucket(...) or table(...) handle, as reads= and writes= take them."""

        @property
        def spec(self) -> ResourceSpec: ...

    Handler = TypeVar("Handler", bound=Callable[..., Any])


class FunctionOptions(TypedDict, total=False):
    """What every trigger decorator accepts besides its trigger.

    name: the function's name (default: the Python function's); reads/writes: the handles it
    uses; requires: pip requirements its archive carries; memory_mb and timeout_seconds: its size;
    retries: how an object or schedule function's failed events are retried (HTTP functions refuse it);
    env: plain settings, read with portable.setting(name) (see portable.settings); idempotent: True or
    Idempotency(window_seconds=..., key=...) runs each event, message or keyed request once (see
    portable.idempotency).
    """

    name: str | None
    reads: Iterable[ResourceRef]
    writes: Iterable[ResourceRef]
    requires: Iterable[str]
    memory_mb: int
    timeout_seconds: int
    retries: RetryPolicy
    env: Mapping[str, str]
    idempotent: bool | Idempotency


FUNCTION_NAME_MAX_CHARS = 40
# A function name is an ASCII letter, then ASCII letters, digits, '_' and '-' (checked with sets: a pattern would be
# compiled at every function's cold start).
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_FUNCTION_NAME_CHARACTERS = _LETTERS | frozenset("0123456789_-")
MEMORY_MB = 256
HTTP_TIMEOUT_SECONDS = 30  # API Gateway gives up after 30 s on both clouds
EVENT_TIMEOUT_SECONDS = 60
# CO_COROUTINE | CO_ASYNC_GENERATOR, and CO_VARARGS, spelt out so that a cold start does not import `inspect`.
_ASYNC_FLAGS = 0x80 | 0x200
_VARARGS_FLAG = 0x04


def _names(refs: Iterable[ResourceRef], where: str, option: str) -> tuple[frozenset[str], list[ResourceSpec]]:
    names: set[str] = set()
    specs: list[ResourceSpec] = []
    for ref in refs:
        spec = getattr(ref, "spec", None)
        if not isinstance(spec, ResourceSpec):
            raise AppDefinitionError(
                f"{where}: {option}= takes bucket(...), table(...), queue(...), topic(...) and secret(...) handles, "
                f"got {ref!r}; "
                f"declare it first, e.g. data = bucket('data'), then {option}=[data]"
            )
        if spec.kind == "secret" and option == "writes":
            raise AppDefinitionError(
                f"{where}: {ref!r} is in writes=, but functions only read secrets (their value is set with "
                f"`pulumi config set --secret`); move it to reads=[...]"
            )
        names.add(spec.name)
        specs.append(spec)
    return frozenset(names), specs


def _retries(options: FunctionOptions, trigger: Trigger, where: str) -> RetryPolicy:
    if "retries" not in options:
        return DEFAULT_RETRIES
    refusal = trigger.retries_refusal
    if refusal is not None:
        raise AppDefinitionError(f"{where}: {refusal}; remove retries=")
    policy = options["retries"]
    if not isinstance(policy, RetryPolicy):
        raise AppDefinitionError(
            f"{where}: retries= takes a RetryPolicy, got {policy!r}; write "
            "retries=RetryPolicy(attempts=2, max_age_seconds=600) with `from portable import RetryPolicy`"
        )
    return policy.check(where)


def _idempotency(options: FunctionOptions, where: str) -> Idempotency | None:
    """`idempotent=` checked; its module loads only for a function that declares it."""
    if "idempotent" not in options:
        return None
    from portable.idempotency import check_option

    return check_option(options["idempotent"], where)


def _check_parameters(handler: Callable[..., Any], trigger: Trigger, where: str) -> None:
    """Refuse a handler that cannot be called with one argument (the request, or the event), as every target calls
    a plain one; the kind's trigger names that parameter (`handler_parameter`).

    Read from the code object: a cold start imports no `inspect`.
    """
    parameter = trigger.handler_parameter
    if parameter is None:
        return
    code = handler.__code__
    positional = code.co_argcount - (1 if hasattr(handler, "__self__") else 0)
    required = positional - len(handler.__defaults__ or ())
    keyword_only = set(code.co_varnames[code.co_argcount : code.co_argcount + code.co_kwonlyargcount])
    required_keywords = sorted(keyword_only - set(handler.__kwdefaults__ or {}))
    takes_more = bool(code.co_flags & _VARARGS_FLAG)
    if (positional >= 1 or takes_more) and required <= 1 and not required_keywords:
        return
    if positional < 1 and not takes_more:
        problem = f"{handler.__name__!r} takes no parameter"
    elif required > 1:
        problem = f"{handler.__name__!r} requires {required} arguments"
    else:
        problem = f"{handler.__name__!r} requires the keyword argument {required_keywords[0]}="
    argument = parameter.partition(":")[0]
    raise AppDefinitionError(
        f"{where}: every target calls a handler with one argument, the {argument}, but {problem}; write "
        f"def {handler.__name__}({parameter}) -> ..."
    )


def make_registrar(
    trigger: Trigger | Callable[[str], Trigger],
    options: FunctionOptions,
    *,
    timeout_seconds: int,
    allow_self_trigger: bool = False,
    trigger_resources: Iterable[ResourceSpec] = (),
) -> Callable[[Handler], Handler]:
    """The decorator shared by every trigger kind; `timeout_seconds` is the kind's default."""

    def register(handler: Handler) -> Handler:
        source = handler.__code__.co_filename
        where = f"{source}:{handler.__code__.co_firstlineno} ({handler.__name__})"
        unknown = sorted(options.keys() - FunctionOptions.__annotations__.keys())
        if unknown:
            from portable.suggestions import did_you_mean

            known = FunctionOptions.__annotations__
            raise AppDefinitionError(
                f"{where}: unknown option {unknown[0]}={did_you_mean(unknown[0], known, lambda name: f'{name}=')}; "
                f"the options are {', '.join(known)}"
            )
        if handler.__code__.co_flags & _ASYNC_FLAGS:
            raise AppDefinitionError(
                f"{where}: handlers are plain functions, but {handler.__name__!r} is declared with async def; "
                f"Portable calls it synchronously on every cloud. Write def {handler.__name__}(...), and run "
                "coroutines inside it with asyncio.run(...)"
            )
        built_trigger = trigger(where) if callable(trigger) else trigger
        _check_parameters(handler, built_trigger, where)
        function_name = options.get("name") or handler.__name__
        if not (
            isinstance(function_name, str)
            and 0 < len(function_name) <= FUNCTION_NAME_MAX_CHARS
            and function_name[0] in _LETTERS
            and _FUNCTION_NAME_CHARACTERS.issuperset(function_name)
        ):
            raise AppDefinitionError(
                f"{where}: function name {function_name!r} must be 1 to {FUNCTION_NAME_MAX_CHARS} ASCII letters, "
                "digits, '_' and '-', starting with a letter (every name derived from it must fit IAM's "
                "64-character role names and Google's resource ids); pass name='...' to the decorator"
            )
        read_names, read_specs = _names(options.get("reads", ()), where, "reads")
        write_names, write_specs = _names(options.get("writes", ()), where, "writes")
        idempotency = _idempotency(options, where)
        if idempotency is not None:  # its store is a table the function writes, which the deploy provisions
            from portable.idempotency_store import STORE

            write_names, write_specs = write_names | {STORE.name}, [*write_specs, STORE]
        spec = Function(
            name=function_name,
            module=handler.__module__,
            source_file=source,
            trigger=built_trigger,
            reads=read_names,
            writes=write_names,
            requires=tuple(options.get("requires", ())),
            memory_mb=check_memory(options.get("memory_mb", MEMORY_MB), where),
            timeout_seconds=check_timeout(options.get("timeout_seconds", timeout_seconds), where),
            allow_self_trigger=allow_self_trigger,
            retries=_retries(options, built_trigger, where),
            env=tuple(sorted(check_env(options.get("env", {}), where).items())),
            idempotency=idempotency,
            line=handler.__code__.co_firstlineno,
        )
        register_function(spec, handler, [*trigger_resources, *read_specs, *write_specs])
        return handler

    return register
