"""A bucket on S3 through boto3."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

from portable.errors import BackendError
from portable.storage_types import ObjectInfo, Page, SignedMethod
from providers.aws.aws_errors import translate
from providers.aws.sdk import client

SINGLE_PUT_BYTES = 8 * 1024 * 1024  # above this, uploads go in parallel 8 MiB parts


class S3Bucket:
    def __init__(self, logical: str, physical: str) -> None:
        self.logical = logical
        self.physical = physical

    def _call(self, action: str, missing: str, method: str, **params: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(client("s3"), method)(Bucket=self.physical, **params)
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, self.logical, action, missing) from exc

    def put(self, key: str, data: bytes | IO[bytes], content_type: str, metadata: dict[str, str]) -> ObjectInfo:
        if isinstance(data, bytes) and len(data) <= SINGLE_PUT_BYTES:
            reply = self._call(f"put {key!r}", f"cannot put {key!r}", "put_object", Key=key, Body=data,
                               ContentType=content_type, Metadata=metadata)
            return ObjectInfo(key, len(data), reply["ETag"].strip('"'), datetime.now(UTC), content_type,
                              dict(metadata))
        from boto3.s3.transfer import TransferConfig

        stream = io.BytesIO(data) if isinstance(data, bytes) else data
        config = TransferConfig(multipart_threshold=SINGLE_PUT_BYTES, multipart_chunksize=SINGLE_PUT_BYTES)
        self._call(f"put {key!r}", f"cannot put {key!r}", "upload_fileobj", Fileobj=stream, Key=key, Config=config,
                   ExtraArgs={"ContentType": content_type, "Metadata": metadata})
        return self.head(key)

    def get(self, key: str) -> bytes:
        body = self._call(f"get {key!r}", f"no object {key!r}", "get_object", Key=key)["Body"]
        with body:
            data: bytes = body.read()
        return data

    def stream(self, key: str, chunk_size: int) -> Iterator[bytes]:
        body = self._call(f"get {key!r}", f"no object {key!r}", "get_object", Key=key)["Body"]
        return _chunks(body, chunk_size, self.logical, key)

    def head(self, key: str) -> ObjectInfo:
        reply = self._call(f"head {key!r}", f"no object {key!r}", "head_object", Key=key)
        return ObjectInfo(key, reply["ContentLength"], reply["ETag"].strip('"'), reply["LastModified"],
                          reply.get("ContentType") or "application/octet-stream", dict(reply.get("Metadata") or {}))

    def delete(self, key: str) -> None:
        self._call(f"delete {key!r}", f"no object {key!r}", "delete_object", Key=key)

    def list_page(self, prefix: str, limit: int, token: str | None) -> Page[ObjectInfo]:
        params: dict[str, Any] = {"Prefix": prefix, "MaxKeys": limit}
        if token is not None:
            params["StartAfter"] = token
        reply = self._call("list", "cannot list", "list_objects_v2", **params)
        items = [ObjectInfo(entry["Key"], entry["Size"], entry["ETag"].strip('"'), entry["LastModified"])
                 for entry in reply.get("Contents", [])]
        return Page(items, items[-1].key if reply.get("IsTruncated") and items else None)

    def signed_url(self, key: str, method: SignedMethod, expires_seconds: int, content_type: str | None) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        params: dict[str, Any] = {"Bucket": self.physical, "Key": key}
        if method == "PUT" and content_type:
            params["ContentType"] = content_type
        operation = "get_object" if method == "GET" else "put_object"
        try:
            url: str = client("s3").generate_presigned_url(operation, Params=params, ExpiresIn=expires_seconds)
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, self.logical, f"sign {key!r}", f"no object {key!r}") from exc
        return url


def _chunks(body: Any, chunk_size: int, resource: str, key: str) -> Iterator[bytes]:
    with body:
        try:
            yield from body.iter_chunks(chunk_size)
        except Exception as exc:  # urllib3 and botocore both raise here; the reader needs one type
            raise BackendError(resource, f"reading {key!r} broke off: {type(exc).__name__}: {exc}") from exc
