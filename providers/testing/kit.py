"""The test kit: call the App's functions as a cloud would, on local data in a state of their own.

    with Kit("aws") as kit:
        reply = kit.http("POST", "/hello", json={"name": "Ada"})
        kit.bucket("uploads").put("photo.jpg", data)        # make_thumbnail has run when put returns
        assert kit.bucket("thumbnails").keys() == ["photo.jpg"]

Every call goes through the target's real entry point with its native payloads. Writes to buckets and
tables and messages sent, by the test or by a handler, reach the functions they trigger before the call
returns: no polling. Handlers are held
to their declared reads= and writes=; the test's own code is not (as scripts are not).
"""

from __future__ import annotations

import json as json_module
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from portable.app import App
from portable.context import using_clients
from portable.delivery import new_request_id
from portable.errors import ConfigurationError, EventFailed
from portable.http_trigger import auths
from portable.loading import load_app
from portable.messaging import Queue, Topic
from portable.replies import HttpReply as HttpReply  # what Kit.http returns: portable.testing.HttpReply
from portable.request import Headers, Query, Request
from portable.resources import Bucket, Table
from portable.schedule_trigger import ScheduleTrigger, schedule_firing
from portable.storage_types import Document, ObjectInfo
from portable.suggestions import did_you_mean
from providers.binding import client_factory
from providers.local.clients import observing_writes
from providers.local.messages import observing_messages
from providers.local.secrets import secret_file
from providers.local.sqlite_files import close_connections, using_local_dir
from providers.local.tokens import DevIssuer
from providers.paths import PROJECT_ROOT
from providers.testing.targets import Delivery, build_target

if TYPE_CHECKING:
    from portable.messaging import Body

Pairs = Mapping[str, str] | Iterable[tuple[str, str]]


class Kit:
    """The App of `package` on one target (`aws`, `gcp` or `local`), its data in `state` (a temporary folder,
    removed on close, unless given).

    Use it as a context manager: inside the block, the test's own bucket(...) and table(...) handles reach the
    same local data, and writes through them trigger functions too.

    Attributes:
        target: The target's name: `aws`, `gcp` or `local`.
        app: The loaded App.
        state: The folder holding this kit's local data.
        deliveries: Every event handed to a function, in the order they finished.
    """

    def __init__(self, target: str = "local", *, package: str = "functions", state: Path | None = None) -> None:
        self.target = target
        self.app: App = load_app(package, str(PROJECT_ROOT))
        self.state = state or Path(tempfile.mkdtemp(prefix="portable-kit-"))
        self._temporary = state is None
        self.deliveries: list[Delivery] = []
        self._open = ExitStack()
        try:
            with using_local_dir(self.state):  # the local runner opens its queue in the state folder
                self._target = build_target(target, self.app, package)
        except BaseException:
            self.close()
            raise

    def __repr__(self) -> str:
        return f"Kit({self.target!r}, functions={sorted(self.app.functions)}, state={str(self.state)!r})"

    def __enter__(self) -> Kit:
        self._open.enter_context(self._active())
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the kit's data, and remove its folder if the kit made it. Leaving the `with` block closes it."""
        self._open.close()
        close_connections(self.state)
        if self._temporary:
            shutil.rmtree(self.state, ignore_errors=True)

    @contextmanager
    def _active(self) -> Iterator[None]:
        with (
            using_local_dir(self.state),
            observing_writes(self._deliver),
            observing_messages(self._deliver),
            using_clients(client_factory("local")),
        ):
            yield

    def _deliver(self, event: Any) -> None:
        """Hand an event a write or a send caused to the functions it triggers, at once."""
        self.deliveries.extend(self._target.deliver(event))

    @property
    def failures(self) -> list[Delivery]:
        """Every delivery a function failed (the cloud would retry it)."""
        return [delivery for delivery in self.deliveries if not delivery.ok]

    def http(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        body: bytes | str = b"",
        headers: Pairs | None = None,
        query: Pairs | None = None,
        client_ip: str = "127.0.0.1",
    ) -> HttpReply:
        """Call the App over HTTP. `path` is what a URL holds (percent-encoded, `?query` allowed); `json` sends
        that value as an application/json body. Functions that fail on events this causes are in `failures`."""
        url = urlsplit(path)
        header_pairs = list(_pairs(headers))
        data = body.encode() if isinstance(body, str) else body
        if json is not None:
            data = json_module.dumps(json).encode()
            if not any(name.lower() == "content-type" for name, _ in header_pairs):
                header_pairs.append(("Content-Type", "application/json"))
        request = Request(
            method=method,
            path=unquote(url.path) or "/",
            body=data,
            query=Query([*parse_qsl(url.query, keep_blank_values=True), *_pairs(query)]),
            headers=Headers(header_pairs),
            client_ip=client_ip,
            request_id=new_request_id(),
        )
        with self._active():
            return self._target.http(request)

    def http_url(
        self,
        url: str,
        method: str = "GET",
        body: bytes | str = b"",
        *,
        headers: Pairs | None = None,
    ) -> HttpReply:
        """Call a URL the App handed out, as a browser or a script would: a bucket's signed URL (`signed_url(...)`),
        which GET downloads and PUT uploads through (the upload triggers the bucket's functions before this
        returns, like a write). Send the Content-Type a PUT URL was signed for in `headers`."""
        from werkzeug.test import Client

        from providers.local import http_codec, signed_urls
        from providers.local.control import SignedUrls

        parts = urlsplit(url)
        base = signed_urls.base_url(self.state)
        if f"{parts.scheme}://{parts.netloc}" != base or not parts.path.startswith(signed_urls.ROUTE):
            raise ConfigurationError(
                f"{url[:200]!r} is not a URL this kit serves: its buckets' signed URLs start with "
                f"{base}{signed_urls.ROUTE}; make one with bucket.signed_url(key, method) in a handler or kit.run(...)"
            )
        data = body.encode() if isinstance(body, str) else body
        with self._active():
            client = Client(SignedUrls.of(self.app), use_cookies=False)
            response = client.open(
                parts.path, method=method, query_string=parts.query, headers=_pairs(headers), data=data
            )
            return http_codec.decode(response)

    def token(
        self,
        subject: str,
        scopes: Iterable[str] = (),
        *,
        auth: str | None = None,
        claims: Mapping[str, Any] | None = None,
    ) -> str:
        """A token of the local development issuer for `subject` with `scopes`, in the name of the App's jwt_auth
        `auth` (default: the only one): send it as `headers={"Authorization": f"Bearer {token}"}`. `claims` adds
        or replaces claims, e.g. {"exp": 0} or {"aud": "other"} for tokens the gateways refuse."""
        declared_auths = {declared.name: declared for declared in auths(self.app)}
        name = auth if auth is not None else next(iter(declared_auths), "")
        if name not in declared_auths or (auth is None and len(declared_auths) > 1):
            names = ", ".join(declared_auths) or "none"
            raise ConfigurationError(f"name the jwt_auth to mint for: auth= one of {names}")
        return DevIssuer(self.state).mint(declared_auths[name], subject, scopes, claims=claims)

    def fire(self, schedule: str, *, at: datetime | None = None) -> list[Delivery]:
        """Fire schedule function `schedule` for the time `at` (default: this minute); EventFailed if it or a
        function it triggered failed. Returns every delivery it caused, the firing first."""
        schedules = [spec.name for spec in self.app.functions_of(ScheduleTrigger)]
        if schedule not in schedules:
            raise ConfigurationError(
                f"no schedule function named {schedule!r}{did_you_mean(schedule, schedules)}; the App's schedules: "
                f"{', '.join(schedules) or 'none'}"
            )
        due = at or datetime.now(UTC).replace(second=0, microsecond=0)
        return self.caused_by(lambda: self._deliver(schedule_firing(schedule, due)))

    def send(
        self,
        queue: str,
        body: Body,
        attributes: Mapping[str, str] | None = None,
        delay_seconds: int = 0,
    ) -> list[Delivery]:
        """Send a message to the App's queue `queue`, as its functions would; the deliveries it caused (its
        consumer's first), or EventFailed naming the functions that failed. A delay (on a queue declared with
        delays=True, InvalidValue otherwise) is not waited for, here or in functions' sends."""
        name = self._declared(queue, self.app.queues, "queue")
        handle = Queue(name, delays=name in self.app.delayed_queues)
        return self.caused_by(lambda: handle.send(body, attributes, delay_seconds))

    def publish(self, topic: str, body: Body, attributes: Mapping[str, str] | None = None) -> list[Delivery]:
        """Publish a message to the App's topic `topic`; the deliveries it caused (one per subscriber first)."""
        handle = Topic(self._declared(topic, self.app.topics, "topic"))
        return self.caused_by(lambda: handle.publish(body, attributes))

    def deliver(self, event: Any) -> list[Delivery]:
        """Hand `event` (a `Message`, `ObjectEvent`, `ScheduleEvent` or `TableChange`) to the functions it triggers,
        in the target's native shape, as the platform does: again, to test what a repeat delivery does. The
        deliveries it caused, or EventFailed naming the ones that failed."""
        return self.caused_by(lambda: self._deliver(event))

    def bucket(self, name: str) -> KitBucket:
        """The App's bucket `name`, to write to (triggering its functions) and to look into."""
        return KitBucket(self, Bucket(self._declared(name, self.app.buckets, "bucket")))

    def table(self, name: str) -> KitTable:
        """The App's table `name`, to fill and to look into."""
        return KitTable(self, Table(self._declared(name, self.app.tables, "table")))

    def _declared(self, name: str, declared: list[str], kind: str) -> str:
        if name in declared:
            return name
        unused = self.app.unused.get(name)
        if unused is not None and unused[0].kind == kind:
            uses = "reads" if kind == "secret" else "uses"
            raise ConfigurationError(
                f"{kind} {name!r} is declared at {unused[1]}, but no function {uses} it, so the App has no such "
                f"{kind}: add it to reads= or writes= of the functions that use it"
            )
        known = ", ".join(declared) or "none"
        raise ConfigurationError(
            f"the App declares no {kind} {name!r}{did_you_mean(name, declared)}; its {kind}s: {known}"
        )

    def set_secret(self, name: str, value: str) -> None:
        """Give the declared secret `name` its value in this kit's state (before the first call that reads it:
        functions keep a value they read for a while, as deployed ones do). A secret that no function reads is
        refused, saying so."""
        path = secret_file(self.state, self._declared(name, self.app.secrets, "secret"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value)

    def caused_by(self, action: Callable[[], object]) -> list[Delivery]:
        """Run `action`; the deliveries it caused, or EventFailed naming the ones that failed."""
        start = len(self.deliveries)
        with self._active():
            action()
        caused = self.deliveries[start:]
        failed = [delivery for delivery in caused if not delivery.ok]
        if failed:
            raise EventFailed("; ".join(f"{d.function} failed on {d.event}: {d.reply}" for d in failed))
        return caused

    def run(self, action: Callable[[], Any]) -> Any:
        """`action()` on the kit's data, outside any function."""
        with self._active():
            return action()


def _pairs(given: Pairs | None) -> list[tuple[str, str]]:
    if given is None:
        return []
    return list(given.items()) if isinstance(given, Mapping) else list(given)


class KitBucket:
    """A bucket of the App as the test sees it. Writes trigger the bucket's functions before they return."""

    def __init__(self, kit: Kit, handle: Bucket) -> None:
        self.kit = kit
        self.handle = handle

    def put(self, key: str, data: bytes | str, *, content_type: str | None = None) -> list[Delivery]:
        """Store an object; the deliveries it caused, or EventFailed naming the functions that failed."""
        content = data.encode() if isinstance(data, str) else data
        return self.kit.caused_by(lambda: self.handle.put(key, content, content_type=content_type))

    def delete(self, key: str) -> list[Delivery]:
        """Delete an object; the deliveries it caused, or EventFailed naming the functions that failed."""
        return self.kit.caused_by(lambda: self.handle.delete(key))

    def keys(self, prefix: str = "") -> list[str]:
        """The keys of the objects under `prefix`, in key order."""
        return [info.key for info in self.kit.run(lambda: list(self.handle.list(prefix)))]

    def get(self, key: str) -> bytes:
        """The object's content; NotFound if there is none."""
        data: bytes = self.kit.run(lambda: self.handle.get(key))
        return data

    def head(self, key: str) -> ObjectInfo:
        """What the bucket knows about the object: size, etag, last modified, content type, metadata."""
        info: ObjectInfo = self.kit.run(lambda: self.handle.head(key))
        return info


class KitTable:
    """A table of the App as the test sees it. Writes trigger the table's change functions before they return."""

    def __init__(self, kit: Kit, handle: Table) -> None:
        self.kit = kit
        self.handle = handle

    def put(self, key: str, value: Document) -> list[Delivery]:
        """Store a document under `key`, replacing any; the deliveries its change caused (the table's change
        functions have run), or EventFailed naming the functions that failed."""
        return self.kit.caused_by(lambda: self.handle.put(key, value))

    def get(self, key: str) -> Document | None:
        """The document under `key`, or None."""
        document: Document | None = self.kit.run(lambda: self.handle.get(key))
        return document

    def items(self, prefix: str = "") -> dict[str, Document]:
        """Every document under `prefix`, by key."""
        return {item.key: item.value for item in self.kit.run(lambda: list(self.handle.query(prefix)))}

    def delete(self, key: str) -> list[Delivery]:
        """Remove the item; the deliveries its change caused, or EventFailed naming the functions that failed."""
        return self.kit.caused_by(lambda: self.handle.delete(key))

    def keys(self, prefix: str = "") -> list[str]:
        """The keys under `prefix`, in key order."""
        return list(self.items(prefix))
