"""A bucket on Cloud Storage through google-cloud-storage."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import suppress
from datetime import timedelta
from typing import IO, Any

from portable.app import ResourceSpec
from portable.context import physical_name_variable
from portable.errors import NotFound
from portable.storage_types import ObjectInfo, Page, SignedMethod
from providers.gcp.gcp_errors import translated
from providers.gcp.sdk import signing_credentials, storage_client

RANGE_BYTES = 8 * 1024 * 1024  # a stream fetches ranges of at least this size


class GcsBucket:
    def __init__(self, logical: str, physical: str) -> None:
        self.logical = logical
        self.physical = physical

    def _bucket(self) -> Any:
        return storage_client().bucket(self.physical)

    def put(self, key: str, data: bytes | IO[bytes], content_type: str, metadata: dict[str, str]) -> ObjectInfo:
        blob = self._bucket().blob(key)
        blob.metadata = metadata or None
        with translated(self.logical, f"put {key!r}", self._missing_bucket()):
            if isinstance(data, bytes):
                blob.upload_from_string(data, content_type=content_type)
            else:
                blob.upload_from_file(data, content_type=content_type)
        return _info(blob)

    def get(self, key: str) -> bytes:
        with translated(self.logical, f"get {key!r}", f"no object {key!r}"):
            data: bytes = self._bucket().blob(key).download_as_bytes()
        return data

    def stream(self, key: str, chunk_size: int) -> Iterator[bytes]:
        blob = self._get_blob(key)  # pins the generation: every range comes from this version
        return self._ranges(blob, chunk_size)

    def _ranges(self, blob: Any, chunk_size: int) -> Iterator[bytes]:
        step = max(chunk_size, RANGE_BYTES)
        for start in range(0, blob.size, step):
            with translated(self.logical, f"read {blob.name!r}", f"{blob.name!r} vanished mid-read"):
                data = blob.download_as_bytes(start=start, end=min(start + step, blob.size) - 1)
            for offset in range(0, len(data), chunk_size):
                yield data[offset : offset + chunk_size]

    def head(self, key: str) -> ObjectInfo:
        return _info(self._get_blob(key))

    def _get_blob(self, key: str) -> Any:
        with translated(self.logical, f"head {key!r}", self._missing_bucket()):
            blob = self._bucket().get_blob(key)
        if blob is None:
            raise NotFound(self.logical, f"no object {key!r}")
        return blob

    def delete(self, key: str) -> None:
        from google.api_core.exceptions import NotFound as GoogleNotFound

        # deleting what is not there is not an error, as on S3
        with translated(self.logical, f"delete {key!r}", f"no object {key!r}"), suppress(GoogleNotFound):
            self._bucket().blob(key).delete()

    def list_page(self, prefix: str, limit: int, token: str | None) -> Page[ObjectInfo]:
        # start_offset is inclusive and some servers ignore it, so names up to the token are skipped here.
        items: list[ObjectInfo] = []
        with translated(self.logical, "list", self._missing_bucket()):
            blobs = storage_client().list_blobs(
                self.physical, prefix=prefix or None, start_offset=token, page_size=min(limit + 2, 1000)
            )
            for blob in blobs:
                if token is not None and blob.name <= token:
                    continue
                if len(items) == limit:
                    return Page(items, items[-1].key)
                items.append(ObjectInfo(blob.name, blob.size, blob.etag, blob.updated))
        return Page(items, None)

    def signed_url(self, key: str, method: SignedMethod, expires_seconds: int, content_type: str | None) -> str:
        options: dict[str, Any] = {
            "version": "v4",
            "expiration": timedelta(seconds=expires_seconds),
            "method": method,
        }
        if method == "PUT" and content_type:
            options["content_type"] = content_type
        with translated(self.logical, f"sign {key!r}", self._missing_bucket()):
            credentials = signing_credentials()
            options["credentials"] = credentials
            if os.environ.get("STORAGE_EMULATOR_HOST"):
                options["api_access_endpoint"] = os.environ["STORAGE_EMULATOR_HOST"]
            if not hasattr(credentials, "sign_bytes"):
                # Cloud Functions' credentials hold no private key: sign through IAM signBlob instead.
                import google.auth.transport.requests

                credentials.refresh(google.auth.transport.requests.Request())
                options.update(service_account_email=credentials.service_account_email, access_token=credentials.token)
            url: str = self._bucket().blob(key).generate_signed_url(**options)
        return url

    def _missing_bucket(self) -> str:
        variable = physical_name_variable(ResourceSpec("bucket", self.logical))
        return f"bucket {self.physical!r} does not exist; deploy the stack, or check {variable}"


def _info(blob: Any) -> ObjectInfo:
    return ObjectInfo(
        blob.name,
        blob.size,
        blob.etag,
        blob.updated,
        blob.content_type or "application/octet-stream",
        dict(blob.metadata or {}),
    )
