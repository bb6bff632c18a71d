"""Decode native payloads with a kind's codec as a shim does, for tests that check a wire format on its own."""

from __future__ import annotations

from typing import Any

from portable.app import Function
from portable.delivery import Bound
from portable.errors import MalformedEvent
from portable.request import Headers
from providers.binding import client_factory


def bound(trigger: Any, name: str = "under_test", module: str = "tests.support.codecs") -> Bound[Any]:
    """A function with `trigger` whose handler does nothing, on local data."""
    return Bound.of(Function(name, module, __file__, trigger), lambda event: None, client_factory("local"))


def events(decoded: Any) -> list[Any]:
    """The events a codec decoded, raising the first MalformedEvent it refused a record with."""
    found = []
    for _, event in decoded:
        if isinstance(event, MalformedEvent):
            raise event
        found.append(event)
    return found


def aws_events(codec: Any, event: dict[str, Any], trigger: Any) -> list[Any]:
    """The portable events the AWS codec `codec` reads from the Lambda event `event` for a function with
    `trigger`."""
    return events(codec.decode(event, bound(trigger), None))


def gcp_events(codec: Any, headers: dict[str, str], body: bytes, trigger: Any) -> list[Any]:
    """The portable events the GCP codec `codec` reads from a request (headers, body) for a function with
    `trigger`."""
    from werkzeug.test import EnvironBuilder

    request = EnvironBuilder(method="POST", path="/", headers=headers, data=body).get_request()
    return events(codec.decode(request, Headers(request.headers.items()), bound(trigger)))
