"""Bucket and table handles, declared by logical name in `functions/`.

A handle is plain description at import time; its data methods reach a client that
the running shim provides (see `portable.context`), so no cloud SDK loads at cold start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from portable import data_rules
from portable.app import caller_location
from portable.decorators import FunctionOptions
from portable.errors import AppDefinitionError, InvalidValue
from portable.handles import Handle
from portable.runtime_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import IO, Any, Literal, overload

    from typing_extensions import Unpack

    from portable.change_trigger import Listened
    from portable.decorators import Handler
    from portable.object_trigger import ObjectEventKind
    from portable.storage_types import BucketClient, Document, Item, ObjectInfo, Page, SignedMethod, T, TableClient

SIGNED_URL_MAX_SECONDS = 7 * 24 * 3600


class Bucket(Handle):
    """A bucket of objects, by its logical name: what `bucket(name)` returns.

    Its decorators `on_created` and `on_deleted` declare functions that its object events trigger; its data methods
    work inside a running function that declares the bucket in `reads=` or `writes=` (or that it triggers), and
    reach S3, Cloud Storage or the local bucket, whichever the function runs on.
    """

    kind = "bucket"

    def __init__(self, name: str, cors: Iterable[str] | None = None) -> None:
        super().__init__(name)
        if cors is not None:
            from portable.app import caller_location, register_bucket_cors
            from portable.cors_policy import checked_origins  # only a bucket declared with cors= loads it

            register_bucket_cors(name, checked_origins(cors, f"{caller_location()} (bucket {name!r}, cors=)"))

    def _on(
        self,
        kind: ObjectEventKind,
        prefix: str,
        suffix: str,
        allow_self_trigger: bool,
        options: FunctionOptions,
    ) -> Callable[[Handler], Handler]:
        from portable.object_trigger import register

        return register(self.spec, kind, prefix, suffix, allow_self_trigger, options)

    def on_created(
        self,
        *,
        prefix: str = "",
        suffix: str = "",
        allow_self_trigger: bool = False,
        **options: Unpack[FunctionOptions],
    ) -> Callable[[Handler], Handler]:
        """Call the decorated function once for each object created under prefix/suffix."""
        return self._on("created", prefix, suffix, allow_self_trigger, options)

    def on_deleted(
        self,
        *,
        prefix: str = "",
        suffix: str = "",
        allow_self_trigger: bool = False,
        **options: Unpack[FunctionOptions],
    ) -> Callable[[Handler], Handler]:
        """Call the decorated function once for each object deleted under prefix/suffix."""
        return self._on("deleted", prefix, suffix, allow_self_trigger, options)

    def _data(self, access: Literal["read", "write"]) -> BucketClient:
        self._authorize(access)
        client: BucketClient = self._client()
        return client

    def put(
        self,
        key: str,
        data: bytes | bytearray | memoryview | IO[bytes],
        *,
        content_type: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> ObjectInfo:
        """Store `data` (bytes, or a binary file object read to its end) under `key`, replacing any object.

        `content_type` defaults to a guess from the key's extension, else application/octet-stream.
        """
        data_rules.check_object_key(self.name, key)
        checked_metadata = data_rules.check_metadata(self.name, metadata)
        if isinstance(data, (bytearray, memoryview)):
            data = bytes(data)
        elif not isinstance(data, bytes) and not callable(getattr(data, "read", None)):
            raise InvalidValue(
                self.name,
                f"put() takes bytes or a binary file object, got {type(data).__name__}; "
                "encode text first, e.g. text.encode()",
            )
        return self._data("write").put(key, data, content_type or _guess_type(key), checked_metadata)

    def get(self, key: str) -> bytes:
        """The whole object; NotFound if there is none. Use stream() for objects too big for memory."""
        data_rules.check_object_key(self.name, key)
        return self._data("read").get(key)

    def stream(self, key: str, *, chunk_size: int = 1024 * 1024) -> Iterator[bytes]:
        """The object in chunks of at most `chunk_size` bytes; NotFound is raised here, not mid-way."""
        data_rules.check_object_key(self.name, key)
        if not isinstance(chunk_size, int) or chunk_size < 1:
            raise InvalidValue(self.name, f"chunk_size must be a positive int, got {chunk_size!r}")
        return self._data("read").stream(key, chunk_size)

    def head(self, key: str) -> ObjectInfo:
        """Size, content type, etag, last modified and metadata, without the content."""
        data_rules.check_object_key(self.name, key)
        return self._data("read").head(key)

    def delete(self, key: str) -> None:
        """Remove the object; removing an object that does not exist is not an error."""
        data_rules.check_object_key(self.name, key)
        self._data("write").delete(key)

    def list_page(self, prefix: str = "", *, limit: int = 1000, token: str | None = None) -> Page[ObjectInfo]:
        """Up to `limit` objects whose keys start with `prefix`, in key order, after `token`."""
        data_rules.check_limit(self.name, limit)
        return self._data("read").list_page(prefix, limit, token)

    def list(self, prefix: str = "", *, page_size: int = 1000) -> Iterator[ObjectInfo]:
        """Every object whose key starts with `prefix`, in key order, fetched a page at a time."""
        return _every_page(self.list_page, prefix, page_size)

    def signed_url(
        self, key: str, *, method: SignedMethod = "GET", expires_in: int = 3600, content_type: str | None = None
    ) -> str:
        """A URL anyone can GET (download) or PUT (upload) for `expires_in` seconds, without credentials.

        For PUT, `content_type` is part of the signature: the uploader must send the same Content-Type.
        """
        data_rules.check_object_key(self.name, key)
        if method not in ("GET", "PUT"):
            raise InvalidValue(self.name, f"signed_url method must be 'GET' or 'PUT', got {method!r}")
        if not isinstance(expires_in, int) or not 1 <= expires_in <= SIGNED_URL_MAX_SECONDS:
            raise InvalidValue(
                self.name, f"expires_in must be 1 to {SIGNED_URL_MAX_SECONDS} seconds (7 days), got {expires_in!r}"
            )
        client = self._data("read" if method == "GET" else "write")
        return client.signed_url(key, method, expires_in, content_type)


def _every_page(fetch: Callable[..., Page[T]], prefix: str, page_size: int) -> Iterator[T]:
    """Every entry `fetch` pages through. The first page is fetched at the call, so a refusal comes there."""
    first = fetch(prefix, limit=page_size)
    return _following_pages(first, lambda token: fetch(prefix, limit=page_size, token=token))


def _following_pages(page: Page[T], fetch: Callable[[str], Page[T]]) -> Iterator[T]:
    while True:
        yield from page.items
        if page.next_token is None:
            return
        page = fetch(page.next_token)


def _guess_type(key: str) -> str:
    import mimetypes

    return mimetypes.guess_type(key, strict=False)[0] or "application/octet-stream"


class Table(Handle):
    """A table of JSON documents by key, by its logical name: what `table(name)` returns.

    Its methods work inside a running function that declares the table in `reads=` or `writes=`, and reach
    DynamoDB, Firestore or the local table, whichever the function runs on.
    """

    kind = "table"

    def _check_name(self, name: str) -> None:
        super()._check_name(name)
        if name == data_rules.IDEMPOTENCY_TABLE:
            raise AppDefinitionError(
                f"{caller_location()}: table name {name!r} is the idempotency store Portable keeps for functions "
                "declared with idempotent=; give your table another name"
            )

    def _on(
        self,
        listens: Listened,
        handler: Handler | None,
        prefix: str,
        batch_size: int | None,
        max_attempts: int | None,
        allow_self_trigger: bool,
        options: FunctionOptions,
    ) -> Any:
        from portable.change_trigger import register

        return register(self.spec, listens, handler, prefix, batch_size, max_attempts, allow_self_trigger, options)

    if TYPE_CHECKING:  # the overloads are for type checkers only: `typing` stays out of a cold start

        @overload
        def on_created(self, handler: Handler) -> Handler: ...

        @overload
        def on_created(
            self,
            handler: None = None,
            *,
            prefix: str = "",
            batch_size: int | None = None,
            max_attempts: int | None = None,
            allow_self_trigger: bool = False,
            **options: Unpack[FunctionOptions],
        ) -> Callable[[Handler], Handler]: ...

    def on_created(
        self,
        handler: Handler | None = None,
        *,
        prefix: str = "",
        batch_size: int | None = None,
        max_attempts: int | None = None,
        allow_self_trigger: bool = False,
        **options: Unpack[FunctionOptions],
    ) -> Any:
        """Call the decorated function once for each item created with a key under `prefix` (a TableChange whose
        `old` is None). Up to `batch_size` changes (1 to 10, default 10) arrive per invocation, in order; after
        `max_attempts` deliveries (5 to 100, default 5) a failing change is dead-lettered."""
        return self._on("created", handler, prefix, batch_size, max_attempts, allow_self_trigger, options)

    if TYPE_CHECKING:  # the overloads are for type checkers only: `typing` stays out of a cold start

        @overload
        def on_updated(self, handler: Handler) -> Handler: ...

        @overload
        def on_updated(
            self,
            handler: None = None,
            *,
            prefix: str = "",
            batch_size: int | None = None,
            max_attempts: int | None = None,
            allow_self_trigger: bool = False,
            **options: Unpack[FunctionOptions],
        ) -> Callable[[Handler], Handler]: ...

    def on_updated(
        self,
        handler: Handler | None = None,
        *,
        prefix: str = "",
        batch_size: int | None = None,
        max_attempts: int | None = None,
        allow_self_trigger: bool = False,
        **options: Unpack[FunctionOptions],
    ) -> Any:
        """Call the decorated function once for each item replaced or changed under `prefix` (`old` and `new` both
        set). Options as for on_created."""
        return self._on("updated", handler, prefix, batch_size, max_attempts, allow_self_trigger, options)

    if TYPE_CHECKING:  # the overloads are for type checkers only: `typing` stays out of a cold start

        @overload
        def on_deleted(self, handler: Handler) -> Handler: ...

        @overload
        def on_deleted(
            self,
            handler: None = None,
            *,
            prefix: str = "",
            batch_size: int | None = None,
            max_attempts: int | None = None,
            allow_self_trigger: bool = False,
            **options: Unpack[FunctionOptions],
        ) -> Callable[[Handler], Handler]: ...

    def on_deleted(
        self,
        handler: Handler | None = None,
        *,
        prefix: str = "",
        batch_size: int | None = None,
        max_attempts: int | None = None,
        allow_self_trigger: bool = False,
        **options: Unpack[FunctionOptions],
    ) -> Any:
        """Call the decorated function once for each item deleted under `prefix` (`new` is None). Options as for
        on_created."""
        return self._on("deleted", handler, prefix, batch_size, max_attempts, allow_self_trigger, options)

    if TYPE_CHECKING:  # the overloads are for type checkers only: `typing` stays out of a cold start

        @overload
        def on_written(self, handler: Handler) -> Handler: ...

        @overload
        def on_written(
            self,
            handler: None = None,
            *,
            prefix: str = "",
            batch_size: int | None = None,
            max_attempts: int | None = None,
            allow_self_trigger: bool = False,
            **options: Unpack[FunctionOptions],
        ) -> Callable[[Handler], Handler]: ...

    def on_written(
        self,
        handler: Handler | None = None,
        *,
        prefix: str = "",
        batch_size: int | None = None,
        max_attempts: int | None = None,
        allow_self_trigger: bool = False,
        **options: Unpack[FunctionOptions],
    ) -> Any:
        """Call the decorated function once for each item created, updated or deleted under `prefix`; read
        `change.kind` to tell them apart. Options as for on_created."""
        return self._on("written", handler, prefix, batch_size, max_attempts, allow_self_trigger, options)

    def _data(self, access: Literal["read", "write"]) -> TableClient:
        self._authorize(access)
        client: TableClient = self._client()
        return client

    def get(self, key: str) -> Document | None:
        """The document stored under `key`, or None."""
        item = self.get_item(key)
        return None if item is None else item.value

    def get_item(self, key: str) -> Item | None:
        """The document under `key` with its version (for put(..., if_version=...)), or None."""
        data_rules.check_table_key(self.name, key)
        return self._data("read").get(key)

    def put(self, key: str, value: Document, *, if_absent: bool = False, if_version: str | None = None) -> str:
        """Store `value` under `key` and return its new version.

        if_absent=True: only if no item has this key. if_version=v: only if the stored item's version
        is still v. When the condition fails nothing is written and Conflict is raised.
        """
        data_rules.check_table_key(self.name, key)
        document = data_rules.check_document(self.name, key, value)
        if if_absent and if_version is not None:
            raise InvalidValue(self.name, "pass if_absent=True or if_version=..., not both")
        if if_version is not None and not isinstance(if_version, str):
            raise InvalidValue(self.name, f"if_version takes the version string an Item carries, got {if_version!r}")
        return self._data("write").put(key, document, if_absent, if_version)

    def delete(self, key: str, *, if_version: str | None = None) -> None:
        """Remove the item; a missing item is not an error unless if_version is given (then Conflict)."""
        data_rules.check_table_key(self.name, key)
        self._data("write").delete(key, if_version)

    def increment(self, key: str, field: str, amount: int = 1) -> int:
        """Atomically add `amount` to the integer `field` (missing counts as 0; the item is created if
        absent) and return the new value. Concurrent increments never lose an update."""
        data_rules.check_table_key(self.name, key)
        data_rules.check_field_name(self.name, field, top_level=True)
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise InvalidValue(self.name, f"increment amount must be an int, got {amount!r}")
        return self._data("write").increment(key, field, amount)

    def query_page(self, prefix: str = "", *, limit: int = 100, token: str | None = None) -> Page[Item]:
        """Up to `limit` items whose keys start with `prefix`, after `token`. Key order, except on
        DynamoDB for a prefix that ends before the key's first `/` (a scan there: order unspecified)."""
        data_rules.check_limit(self.name, limit)
        return self._data("read").query_page(prefix, limit, token)

    def query(self, prefix: str = "", *, page_size: int = 100) -> Iterator[Item]:
        """Every item whose key starts with `prefix`, fetched a page at a time."""
        return _every_page(self.query_page, prefix, page_size)


def bucket(name: str, *, cors: Iterable[str] | None = None) -> Bucket:
    """Declare (or refer to) the bucket with this logical name.

    `cors` lists the origins whose pages may use the bucket's signed URLs (GET, HEAD, PUT) from a browser, e.g.
    `cors=["https://app.example.com"]`; without it, those of the App's `portable.cors(...)` may.
    """
    return Bucket(name, cors)


def table(name: str) -> Table:
    """Declare (or refer to) the table with this logical name."""
    return Table(name)
