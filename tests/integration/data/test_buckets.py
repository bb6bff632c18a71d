"""The bucket contract, run against every backend: local files, S3 on moto, Cloud Storage on its emulator."""

from __future__ import annotations

import io
import os
import urllib.request
from pathlib import Path

import pytest

from portable import InvalidKey, InvalidValue, NotFound, bucket
from tests.backends.fixtures import Backend
from tests.backends.service_account import write_key_file

objects = bucket("contract-objects")
NINE_MIB = 9 * 1024 * 1024


@pytest.fixture
def store(backend: Backend) -> Backend:
    backend.provision(objects.spec)
    return backend


def test_put_get_head_round_trip(store: Backend) -> None:
    info = objects.put("docs/readme.txt", b"hello", metadata={"owner": "alice"})
    head = objects.head("docs/readme.txt")
    assert objects.get("docs/readme.txt") == b"hello"
    assert (head.size, head.content_type, head.metadata) == (5, "text/plain", {"owner": "alice"})
    assert head.etag == info.etag and head.etag
    assert head.last_modified.tzinfo is not None


def test_explicit_content_type_wins_over_the_guess(store: Backend) -> None:
    objects.put("photo.jpg", b"not really", content_type="application/x-test")
    assert objects.head("photo.jpg").content_type == "application/x-test"


def test_missing_object_is_not_found_for_every_read(store: Backend) -> None:
    for read in (objects.get, objects.head, objects.stream):
        with pytest.raises(NotFound) as caught:
            read("nope.txt")
        assert caught.value.resource == "contract-objects"


def test_overwrite_replaces_content_and_etag(store: Backend) -> None:
    first = objects.put("same", b"one")
    second = objects.put("same", b"two, longer")
    assert objects.get("same") == b"two, longer"
    assert objects.head("same").size == len(b"two, longer")
    assert first.etag != second.etag


@pytest.mark.parametrize("key", ["with space/and slash.txt", "naïve/Ünïcödé ☃.bin", "a//double", "%2F literal"])
def test_awkward_keys_round_trip_and_list(store: Backend, key: str) -> None:
    objects.put(key, key.encode())
    assert objects.get(key) == key.encode()
    assert [info.key for info in objects.list()] == [key]


def test_empty_object(store: Backend) -> None:
    objects.put("empty", b"")
    assert objects.get("empty") == b""
    assert objects.head("empty").size == 0
    assert b"".join(objects.stream("empty")) == b""


def test_object_over_8_mib_from_a_file_streams_back_in_chunks(store: Backend) -> None:
    content = os.urandom(NINE_MIB)
    info = objects.put("big.bin", io.BytesIO(content))
    assert info.size == NINE_MIB
    chunks = list(objects.stream("big.bin", chunk_size=4 * 1024 * 1024))
    assert [len(chunk) for chunk in chunks] == [4 * 1024 * 1024, 4 * 1024 * 1024, 1024 * 1024]
    assert b"".join(chunks) == content
    objects.put("big.bin", content[::-1])  # the same size as bytes: the other upload path
    assert objects.get("big.bin") == content[::-1]


def test_listing_longer_than_a_page(store: Backend) -> None:
    keys = [f"logs/{index:02d}.txt" for index in range(7)]
    for key in [*keys, "other/x", "logsx"]:
        objects.put(key, b".")
    pages = []
    token = None
    while True:
        page = objects.list_page("logs/", limit=3, token=token)
        pages.append([info.key for info in page.items])
        if page.next_token is None:
            break
        token = page.next_token
    assert pages == [keys[0:3], keys[3:6], keys[6:7]]
    listed = list(objects.list("logs/", page_size=2))
    assert [info.key for info in listed] == keys
    assert all(info.size == 1 and info.content_type is None for info in listed)


def test_delete_removes_and_tolerates_missing(store: Backend) -> None:
    objects.put("gone", b"x")
    objects.delete("gone")
    with pytest.raises(NotFound):
        objects.get("gone")
    objects.delete("gone")


@pytest.mark.parametrize("key", ["", "line\nbreak", "x" * 1025, ".."])
def test_keys_no_cloud_accepts_are_refused_everywhere(store: Backend, key: str) -> None:
    with pytest.raises(InvalidKey, match="contract-objects"):
        objects.put(key, b"x")


def test_bad_metadata_is_refused(store: Backend) -> None:
    with pytest.raises(InvalidValue, match="lower-case"):
        objects.put("m", b"x", metadata={"Owner": "alice"})
    with pytest.raises(InvalidValue, match="ASCII"):
        objects.put("m", b"x", metadata={"owner": "Zoë"})


def test_missing_bucket_is_not_found(backend: Backend) -> None:
    if backend.provider == "local":
        pytest.skip("local buckets are created on first use; there is no missing local bucket")
    backend.point_at_missing(objects.spec)
    with pytest.raises(NotFound, match="does not exist"):
        objects.put("x", b"x")


def test_signed_get_url_downloads(store: Backend, tmp_path: Path) -> None:
    """moto and the storage emulator do not verify signatures: this checks that the URL names the
    object and is served; test_signed_urls.py checks the signing itself."""
    if store.provider == "local":
        pytest.skip("local signed URLs are checked by their verifier in test_signed_urls.py")
    if store.provider == "gcp":
        store.monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(write_key_file(tmp_path)[0]))
    objects.put("shared/report.csv", b"a,b\n")
    url = objects.signed_url("shared/report.csv", expires_in=600)
    with urllib.request.urlopen(url, timeout=10) as reply:
        assert reply.read() == b"a,b\n"
