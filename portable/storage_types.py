"""What bucket and table operations return, and the protocols every provider's clients follow."""

from __future__ import annotations

from portable.runtime_typing import TYPE_CHECKING, Generic, NamedTuple, TypeVar

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import datetime
    from typing import IO, Any, Literal, Protocol

    Document = dict[str, Any]
    SignedMethod = Literal["GET", "PUT"]
else:
    Document = dict
    SignedMethod = str

T = TypeVar("T")


class ObjectInfo(NamedTuple):
    """What a bucket knows about one object; `etag` changes whenever the content does.

    `content_type` and `metadata` are None in listings (S3 does not list them): call head().

    Attributes:
        key: The object's key.
        size: Its size in bytes.
        etag: An opaque tag that changes whenever the content does.
        last_modified: When it was last written, aware UTC.
        content_type: Its content type; None in listings.
        metadata: Its metadata, `{lower-case name: value}`; None in listings.
    """

    key: str
    size: int
    etag: str
    last_modified: datetime
    content_type: str | None = None
    metadata: dict[str, str] | None = None


class Item(NamedTuple):
    """One table item: its document and an opaque version that changes on every write.

    Attributes:
        key: The item's key.
        value: The document.
        version: An opaque string that changes on every write; pass it to `put(..., if_version=...)`.
    """

    key: str
    value: Document
    version: str


class Page(NamedTuple, Generic[T]):
    """One page of a listing; pass `next_token` back to get the next page, None at the end.

    Attributes:
        items: The entries of this page, in key order.
        next_token: What to pass as `token` for the next page; None after the last one.
    """

    items: list[T]
    next_token: str | None


if TYPE_CHECKING:  # what provider clients follow; only type checkers read it

    class BucketClient(Protocol):
        """One provider's access to one bucket. Errors are portable ResourceErrors."""

        def put(self, key: str, data: bytes | IO[bytes], content_type: str, metadata: dict[str, str]) -> ObjectInfo: ...
        def get(self, key: str) -> bytes: ...
        def stream(self, key: str, chunk_size: int) -> Iterator[bytes]: ...
        def head(self, key: str) -> ObjectInfo: ...
        def delete(self, key: str) -> None: ...
        def list_page(self, prefix: str, limit: int, token: str | None) -> Page[ObjectInfo]: ...
        def signed_url(self, key: str, method: SignedMethod, expires_seconds: int, content_type: str | None) -> str: ...

    class TableClient(Protocol):
        """One provider's access to one table. Errors are portable ResourceErrors."""

        def get(self, key: str) -> Item | None: ...
        def put(self, key: str, value: Document, if_absent: bool, if_version: str | None) -> str: ...
        def delete(self, key: str, if_version: str | None) -> None: ...
        def increment(self, key: str, field: str, amount: int) -> int: ...
        def query_page(self, prefix: str, limit: int, token: str | None) -> Page[Item]: ...
