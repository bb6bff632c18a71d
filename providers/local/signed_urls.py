"""Signed URLs for local buckets: HMAC-signed links to /__portable/buckets/ (the runner serves them).

The secret lives in the local data directory, so links survive a restart of the local
server and stop working when the directory is wiped, like a rotated cloud key. Links
name the address the runner serving that directory listens on, which it writes there
while it serves, so a handler, a script or a test in another process signs for it too.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, unquote, urlencode

from portable.storage_types import SignedMethod
from providers.local.sqlite_files import local_dir

ROUTE = "/__portable/buckets/"
DEFAULT_URL = "http://127.0.0.1:8080"
_RUNNER_URL_FILE = "runner-url"


class InvalidSignature(Exception):
    """The URL was not signed here, was altered, or has expired."""


def base_url(root: Path) -> str:
    """Where links to the buckets under `root` point.

    `$PORTABLE_LOCAL_URL` when set (the runner behind a proxy or a container's port mapping),
    else the address of the runner serving `root`, else the default `./dev serve` address.
    """
    override = os.environ.get("PORTABLE_LOCAL_URL")
    if override:
        return override.rstrip("/")
    return runner_url(root) or DEFAULT_URL


def runner_url(root: Path) -> str | None:
    """The address of the runner serving `root`, None when none does."""
    try:
        return (root / _RUNNER_URL_FILE).read_text().strip() or None
    except OSError:
        return None


@contextmanager
def served_at(root: Path, url: str) -> Iterator[None]:
    """Within the block, links to the buckets under `root` name `url`, where a runner serves them."""
    path = root / _RUNNER_URL_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(url)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _secret() -> bytes:
    path = local_dir() / "signing-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first
        else:
            os.write(fd, secrets.token_bytes(32))
            os.close(fd)
    return path.read_bytes()


def _signature(bucket: str, key: str, method: str, expires: int, content_type: str) -> str:
    message = "\n".join((method, bucket, key, str(expires), content_type)).encode()
    return hmac.new(_secret(), message, hashlib.sha256).hexdigest()


def sign(
    bucket: str,
    key: str,
    method: SignedMethod,
    expires_seconds: int,
    content_type: str | None,
    base: str,
    now: float | None = None,
) -> str:
    expires = int((time.time() if now is None else now) + expires_seconds)
    query = {
        "method": method,
        "expires": str(expires),
        "signature": _signature(bucket, key, method, expires, content_type or ""),
    }
    return f"{base}{ROUTE}{quote(bucket)}/{quote(key, safe='/')}?{urlencode(query)}"


def verify(
    method: str, path: str, query: dict[str, str], content_type: str | None, now: float | None = None
) -> tuple[str, str]:
    """The (bucket, key) a signed request may touch; InvalidSignature says why not."""
    if not path.startswith(ROUTE) or "/" not in path[len(ROUTE) :]:
        raise InvalidSignature(f"{path!r} is not a signed bucket URL")
    bucket, _, quoted_key = path[len(ROUTE) :].partition("/")
    try:  # strictly: bytes that are not UTF-8 would otherwise all fold into U+FFFD, one key for many paths
        bucket, key = unquote(bucket, errors="strict"), unquote(quoted_key, errors="strict")
    except UnicodeDecodeError:
        raise InvalidSignature("the path is not UTF-8 once %-decoded; keys are UTF-8 text") from None
    if query.get("method") != method:
        raise InvalidSignature(f"this URL was signed for {query.get('method')!r}, not {method!r}")
    try:
        expires = int(query.get("expires", ""))
    except ValueError:
        raise InvalidSignature("the expires parameter is missing or not a number") from None
    if (time.time() if now is None else now) > expires:
        raise InvalidSignature("this URL has expired")
    # A PUT signed with a content type only accepts that type; one signed without accepts any.
    accepted_types = {"", content_type or ""} if method == "PUT" else {""}
    given = query.get("signature", "")
    if not any(hmac.compare_digest(_signature(bucket, key, method, expires, kind), given) for kind in accepted_types):
        raise InvalidSignature("the signature does not match (altered URL, or another Content-Type)")
    return bucket, key
