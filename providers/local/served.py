"""What the control endpoints and the dashboard act on: the App a runner serves, its data and its delivery.

`providers.local.runner.LocalApp` is one; the endpoints see only this, so that they never import the runner
that imports them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from portable.app import App
    from portable.messaging import Body
    from providers.local.access import ControlAccess
    from providers.local.console import Console
    from providers.local.dead_letters import DeadLetter, DeadLetters
    from providers.local.deliverer import Outcome
    from providers.local.delivery_queue import DeliveryQueue
    from providers.local.tokens import DevIssuer
    from providers.local.wsgi import Environ, StartResponse


class Served(Protocol):
    """A runner serving an App: its functions over HTTP (as a WSGI app), its console, queue and dead letters, and
    who may call its control endpoints."""

    app: App
    console: Console
    queue: DeliveryQueue
    letters: DeadLetters
    issuer: DevIssuer
    access: ControlAccess  # who may call the control endpoints
    fast_retries: bool

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """Answer one HTTP request as the App's gateway would."""
        ...

    def fire_schedule(self, name: str, due: datetime | None = None) -> Outcome:
        """Queue a firing of schedule `name` and make its first attempt."""
        ...

    def replay(self, function: str, letter_id: str, body: bytes | None = None) -> DeadLetter:
        """Queue a dead letter's event again (a message with `body`, if given)."""
        ...

    def send_message(self, kind: str, name: str, body: Body, attributes: Mapping[str, str]) -> str:
        """Send to a queue or publish to a topic, as a function would; the message's id."""
        ...
