"""Signed URLs. moto does not verify S3 signatures and the storage emulator verifies none, so
the Cloud Storage signature is checked here against the signing key's public half, the S3 URL
by its signed parameters, and the local signer by its own verifier."""

from __future__ import annotations

import hashlib
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

from portable import InvalidValue, bucket
from providers.gcp import sdk as gcp_sdk
from providers.local import signed_urls
from tests.backends.fixtures import Backend
from tests.backends.service_account import write_key_file

shared = bucket("signed-files")


@pytest.fixture
def store(backend: Backend) -> Backend:
    backend.provision(shared.spec)
    shared.put("docs/résumé v2.pdf", b"%PDF-1.7 pretend")
    return backend


def test_expiry_beyond_seven_days_is_refused(store: Backend) -> None:
    with pytest.raises(InvalidValue, match="7 days"):
        shared.signed_url("docs/résumé v2.pdf", expires_in=8 * 24 * 3600)


def test_signed_put_url(store: Backend, tmp_path: Path) -> None:
    if store.provider == "gcp":
        key_file, _ = write_key_file(tmp_path)
        store.monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    url = shared.signed_url("incoming/upload.txt", method="PUT", expires_in=300, content_type="text/plain")
    query = dict(parse_qsl(urlsplit(url).query))
    if store.provider == "local":
        path = urlsplit(url).path
        assert signed_urls.verify("PUT", path, query, "text/plain") == (
            store.created["signed-files"],
            "incoming/upload.txt",
        )
        with pytest.raises(signed_urls.InvalidSignature, match="Content-Type"):
            signed_urls.verify("PUT", path, query, "text/html")
        return
    signed_headers = query.get("X-Amz-SignedHeaders") or query["X-Goog-SignedHeaders"]
    assert "content-type" in signed_headers.split(";")
    request = urllib.request.Request(url, data=b"uploaded", method="PUT", headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(request, timeout=10).close()
    assert shared.get("incoming/upload.txt") == b"uploaded"


def test_s3_url_carries_the_expiry_and_the_signature(store: Backend) -> None:
    if store.provider != "aws":
        pytest.skip("S3 only")
    url = shared.signed_url("docs/résumé v2.pdf", expires_in=900)
    query = dict(parse_qsl(urlsplit(url).query))
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256" and query["X-Amz-Expires"] == "900"
    assert query["X-Amz-Credential"].startswith("testing/") and len(query["X-Amz-Signature"]) == 64
    assert urlsplit(url).path.endswith("/docs/r%C3%A9sum%C3%A9%20v2.pdf")


def test_cloud_storage_signature_verifies_with_the_public_key(store: Backend, tmp_path: Path) -> None:
    if store.provider != "gcp":
        pytest.skip("Cloud Storage only")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    key_file, public_pem = write_key_file(tmp_path)
    store.monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    url = shared.signed_url("docs/résumé v2.pdf", expires_in=600)
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query)
    query = dict(pairs)
    canonical_query = "&".join(
        f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in sorted(pairs) if k != "X-Goog-Signature"
    )
    canonical_request = "\n".join(
        ["GET", parts.path, canonical_query, f"host:{parts.netloc}", "", "host", "UNSIGNED-PAYLOAD"]
    )
    scope = query["X-Goog-Credential"].split("/", 1)[1]
    string_to_sign = "\n".join(
        ["GOOG4-RSA-SHA256", query["X-Goog-Date"], scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    public_key = serialization.load_pem_public_key(public_pem)
    public_key.verify(
        bytes.fromhex(query["X-Goog-Signature"]),
        string_to_sign.encode(),  # type: ignore[union-attr, call-arg]
        padding.PKCS1v15(),
        hashes.SHA256(),
    )  # type: ignore[arg-type]
    assert query["X-Goog-Expires"] == "600"
    with urllib.request.urlopen(url, timeout=10) as reply:  # the emulator serves it (without checking)
        assert reply.read() == b"%PDF-1.7 pretend"
    gcp_sdk.storage_client.cache_clear()


def test_local_signatures_expire_and_resist_tampering(store: Backend) -> None:
    if store.provider != "local":
        pytest.skip("local only")
    url = shared.signed_url("docs/résumé v2.pdf", expires_in=60)
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    physical = store.created["signed-files"]
    assert signed_urls.verify("GET", parts.path, query, None) == (physical, "docs/résumé v2.pdf")
    with pytest.raises(signed_urls.InvalidSignature, match="expired"):
        signed_urls.verify("GET", parts.path, query, None, now=time.time() + 61)
    with pytest.raises(signed_urls.InvalidSignature, match="does not match"):
        signed_urls.verify("GET", parts.path.replace("v2", "v3"), query, None)
    with pytest.raises(signed_urls.InvalidSignature, match="signed for"):
        signed_urls.verify("PUT", parts.path, query, None)


def test_local_signed_urls_are_served(store: Backend) -> None:
    if store.provider != "local":
        pytest.skip("local only")
    from werkzeug.test import Client

    from providers.local.buckets import LocalBucket
    from providers.local.control import SignedUrls

    def open_physical(physical: str) -> LocalBucket:
        assert physical == store.created["signed-files"]
        return store.client_for(shared.spec)

    client = Client(SignedUrls(open_physical, lambda physical: None))  # no page of another origin may use them
    get_url = urlsplit(shared.signed_url("docs/résumé v2.pdf"))
    reply = client.get(get_url.path, query_string=get_url.query)
    assert (reply.status_code, reply.data) == (200, b"%PDF-1.7 pretend")
    refused = client.get(get_url.path, query_string=get_url.query.replace("GET", "PUT"))
    assert refused.status_code == 403 and refused.get_json()["error"].startswith("this URL was signed for 'PUT'")
    put_url = urlsplit(shared.signed_url("in/new.txt", method="PUT", content_type="text/plain"))
    reply = client.put(put_url.path, query_string=put_url.query, data=b"new", content_type="text/plain")
    assert reply.status_code == 200
    assert shared.get("in/new.txt") == b"new" and shared.head("in/new.txt").content_type == "text/plain"
    missing = urlsplit(shared.signed_url("in/none.txt"))
    reply = client.get(missing.path, query_string=missing.query)
    assert reply.status_code == 404 and reply.get_json()["status"] == 404 and reply.get_json()["request_id"]
