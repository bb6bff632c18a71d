"""What the running invocation knows: which function runs, for which request or event, in which trace, and how
to reach its buckets and tables.

One context variable, set for the length of one call by the runtime core (or by `using_clients`
in tests and scripts), so nothing is bound for the whole process. Handles read it to reach
their data and check declarations; `portable.log` reads it to label every line.
Kept apart from the handles so that a shim can set it without importing them.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from contextvars import ContextVar, Token

from portable.runtime_typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from types import TracebackType
    from typing import Any, Protocol, TypeVar

    from portable.app import FunctionSpec, ResourceSpec

    ClientFactory = Callable[[ResourceSpec], Any]
    T = TypeVar("T")

    class CallTrace(Protocol):
        """A call's trace as an Invocation holds it (portable.tracing.CallTrace, worked out when first asked)."""

        def resolved(self) -> Trace: ...


LOCAL = "local"  # a trace's style where log lines name it `trace` (see portable.tracing)


class Trace(NamedTuple):
    """The trace of one call: `trace_id` (32 hex), `span_id` (16 hex: the call's own span, or the caller's in a
    platform's trace before `child` made the call's), `sampled`, and `style`: how log lines name it."""

    trace_id: str
    span_id: str
    sampled: bool
    style: str = LOCAL


class Invocation(NamedTuple):
    """One call in progress; outside a function (tests, scripts) `function` and `id` are None."""

    function: FunctionSpec | None
    clients: ClientFactory | None
    id: str | None = None
    trace: CallTrace | None = None  # the call's trace (portable.tracing), which its log lines and messages carry


current_invocation: ContextVar[Invocation | None] = ContextVar("portable_invocation", default=None)


def setting(variable: ContextVar[T], value: T) -> AbstractContextManager[None]:
    """`variable` holds `value` inside the block, in this context and the contexts copied from it."""
    return _Setting(variable, value)


class _Setting:
    """What `setting` returns: written out, so that a cold start does without contextlib (a millisecond on 3.12)."""

    __slots__ = ("token", "value", "variable")

    def __init__(self, variable: ContextVar[Any], value: object) -> None:
        self.variable, self.value = variable, value
        self.token: Token[Any] | None = None

    def __enter__(self) -> None:
        self.token = self.variable.set(self.value)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self.token is not None:
            self.variable.reset(self.token)
            self.token = None


def using_clients(factory: ClientFactory) -> AbstractContextManager[None]:
    """Build every handle's client with `factory` inside the block (tests, scripts, the local runner)."""
    return setting(current_invocation, Invocation(None, factory))


@functools.cache  # an object function asks for its bucket's on every event
def physical_name_variable(spec: ResourceSpec) -> str:
    """The environment variable the deploy half sets to the resource's physical name."""
    return f"PORTABLE_{spec.kind.upper()}_{spec.name.upper().replace('-', '_')}"


def physical_name(spec: ResourceSpec) -> str:
    """The cloud's name for a logical resource: set by the deploy half, else the logical name."""
    return os.environ.get(physical_name_variable(spec)) or spec.name
