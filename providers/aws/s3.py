"""A bucket on S3 through boto3."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

from portable.errors import BackendError
from portable.storage_types import ObjectInfo, Page, SignedMethod
from providers.aws.aws_errors import translated
from providers.aws.sdk import client

SINGLE_PUT_BYTES = 8 * 1024 * 1024  # above this, uploads go in parallel 8 MiB parts


class S3Bucket:
    def __init__(self, logical: str, physical: str) -> None:
        self.logical = logical
        self.physical = physical

    def put(self, key: str, data: bytes | IO[bytes], content_type: str, metadata: dict[str, str]) -> ObjectInfo:
        if isinstance(data, bytes) and len(data) <= SINGLE_PUT_BYTES:
            with translated(self.logical, f"put {key!r}", f"cannot put {key!r}"):
                reply = client("s3").put_object(
                    Bucket=self.physical, Key=key, Body=data, ContentType=content_type, Metadata=metadata
                )
            return ObjectInfo(key, len(data), reply["ETag"].strip('"'), datetime.now(UTC), content_type, dict(metadata))
        from boto3.s3.transfer import TransferConfig

        stream = io.BytesIO(data) if isinstance(data, bytes) else data
        config = TransferConfig(multipart_threshold=SINGLE_PUT_BYTES, multipart_chunksize=SINGLE_PUT_BYTES)
        with translated(self.logical, f"put {key!r}", f"cannot put {key!r}"):
            client("s3").upload_fileobj(
                Fileobj=stream,
                Bucket=self.physical,
                Key=key,
                Config=config,
                ExtraArgs={"ContentType": content_type, "Metadata": metadata},
            )
        return self.head(key)

    def get(self, key: str) -> bytes:
        body = self._body(key)
        with body:  # StreamingBody's __enter__ hands out the raw stream, which skips the length check
            data: bytes = body.read()
        return data

    def stream(self, key: str, chunk_size: int) -> Iterator[bytes]:
        return _chunks(self._body(key), chunk_size, self.logical, key)

    def _body(self, key: str) -> Any:
        with translated(self.logical, f"get {key!r}", f"no object {key!r}"):
            return client("s3").get_object(Bucket=self.physical, Key=key)["Body"]

    def head(self, key: str) -> ObjectInfo:
        with translated(self.logical, f"head {key!r}", f"no object {key!r}"):
            reply = client("s3").head_object(Bucket=self.physical, Key=key)
        return ObjectInfo(
            key,
            reply["ContentLength"],
            reply["ETag"].strip('"'),
            reply["LastModified"],
            reply.get("ContentType") or "application/octet-stream",
            dict(reply.get("Metadata") or {}),
        )

    def delete(self, key: str) -> None:
        with translated(self.logical, f"delete {key!r}", f"no object {key!r}"):
            client("s3").delete_object(Bucket=self.physical, Key=key)

    def list_page(self, prefix: str, limit: int, token: str | None) -> Page[ObjectInfo]:
        params: dict[str, Any] = {"Bucket": self.physical, "Prefix": prefix, "MaxKeys": limit}
        if token is not None:
            params["StartAfter"] = token
        with translated(self.logical, "list", "cannot list"):
            reply = client("s3").list_objects_v2(**params)
        items = [
            ObjectInfo(entry["Key"], entry["Size"], entry["ETag"].strip('"'), entry["LastModified"])
            for entry in reply.get("Contents", [])
        ]
        return Page(items, items[-1].key if reply.get("IsTruncated") and items else None)

    def signed_url(self, key: str, method: SignedMethod, expires_seconds: int, content_type: str | None) -> str:
        params: dict[str, Any] = {"Bucket": self.physical, "Key": key}
        if method == "PUT" and content_type:
            params["ContentType"] = content_type
        operation = "get_object" if method == "GET" else "put_object"
        with translated(self.logical, f"sign {key!r}", f"no object {key!r}"):
            url: str = client("s3").generate_presigned_url(operation, Params=params, ExpiresIn=expires_seconds)
        return url


def _chunks(body: Any, chunk_size: int, resource: str, key: str) -> Iterator[bytes]:
    with body:
        try:
            yield from body.iter_chunks(chunk_size)
        except Exception as exc:  # urllib3 and botocore both raise here; the reader needs one type
            raise BackendError(resource, f"reading {key!r} broke off: {type(exc).__name__}: {exc}") from exc
