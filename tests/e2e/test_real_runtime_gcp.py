"""The project's Cloud Functions archives as Cloud Functions runs them, on the stack's CPython.

Each archive the program built is unpacked, its requirements.txt installed into a fresh
virtualenv (by uv; the buildpack's pip installs the same pins), and `functions-framework --target <function>
--source main.py` serves it on a loopback port, with the function's environment as the
deploy set it and no time zone data. It is called as Google calls it: a POST through the
gateway's path, a binary-mode Cloud Storage CloudEvent from Eventarc, Cloud Scheduler's
request. Data lives on gcp-storage-emulator and the Firestore emulator.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.backends.pipeline_kit import assert_report, assert_thumbnail, photo, report_due_after
from tests.backends.servers import free_port
from tests.support.mocks import Deployment
from tests.support.project import deploy_project
from tests.support.runtimes import (
    Provisioned,
    cached_venv,
    fixture,
    interpreter,
    on_loopback,
    unpack,
    wait_for_port,
    without_zone_data,
)

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

FUNCTION = "gcp:cloudfunctionsv2/function:Function"


@pytest.fixture(scope="module")
def project() -> Deployment:
    return deploy_project("gcp", {"gcp:project": "demo-project"})


@pytest.fixture
def gcp(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, project: Deployment) -> Provisioned:
    return on_loopback("gcp", request, monkeypatch, project)


def installed(project: Deployment, function: str, into: Path) -> tuple[dict[str, Any], Path, Path]:
    """The function's deployed inputs, its unpacked archive, and a virtualenv its requirements.txt was installed in."""
    inputs = project.named(FUNCTION, function).inputs
    source = Path(project.named("gcp:storage/bucketObject:BucketObject", f"{function}-source").inputs["source"].path)
    unpacked = unpack(source, into / function)
    runtime = inputs["buildConfig"]["runtime"].removeprefix("python")
    venv = cached_venv(interpreter(f"{runtime[0]}.{runtime[1:]}"), (unpacked / "requirements.txt").read_text())
    return inputs, unpacked, venv


# Every distribution in the virtualenv, whichever installer put it there; isolated (-I), so that nothing in the
# working directory (a checkout's portable_serverless.egg-info) counts.
_LIST_DISTRIBUTIONS = (
    "import importlib.metadata, json; "
    "print(json.dumps([[d.metadata['Name'], d.version] for d in importlib.metadata.distributions()]))"
)


@pytest.mark.parametrize("function", ["hello", "make_thumbnail", "nightly_report", "write_welcome"])
def test_the_buildpack_installs_exactly_the_pinned_packages(project: Deployment, tmp_path: Path, function: str) -> None:
    """requirements.txt holds every package installed on the runtime's Python: none comes unpinned."""
    _, unpacked, venv = installed(project, function, tmp_path)
    listed = subprocess.run([venv / "bin" / "python", "-I", "-c", _LIST_DISTRIBUTIONS], capture_output=True, text=True,
                            check=True).stdout  # fmt: skip
    present = {(canonicalize_name(name), version) for name, version in json.loads(listed)}
    pinned = {
        (canonicalize_name(pin.name), next(iter(pin.specifier)).version)
        for pin in map(Requirement, (unpacked / "requirements.txt").read_text().splitlines())
    }
    assert present == pinned


@pytest.fixture
def serve(
    project: Deployment, gcp: Provisioned, storage_emulator_endpoint: str, firestore_emulator_host: str, tmp_path: Path
) -> Iterator[Callable[[str], str]]:
    """Serve a function of the stack, installed as the buildpack installs it; returns its URL."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(function: str) -> str:
        inputs, unpacked, venv = installed(project, function, tmp_path)
        target, port = inputs["buildConfig"]["entryPoint"], free_port()
        environment = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "PYTHONUNBUFFERED": "1",
            "PORT": str(port),
            "K_SERVICE": function,
            "FUNCTION_TARGET": target,
            "FUNCTION_SIGNATURE_TYPE": "http",
            "STORAGE_EMULATOR_HOST": storage_emulator_endpoint,
            "FIRESTORE_EMULATOR_HOST": firestore_emulator_host,
            **{name: os.environ[name] for name in ("PUBSUB_EMULATOR_HOST",) if name in os.environ},
            **without_zone_data([str(venv / "bin" / "python")], unpacked),
            **gcp.renamed(inputs["serviceConfig"]["environmentVariables"]),
        }
        log = tmp_path / f"{function}.log"
        with log.open("wb") as sink:
            processes.append(
                subprocess.Popen(
                    [
                        venv / "bin" / "functions-framework",
                        "--target",
                        target,
                        "--source",
                        "main.py",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                    ],
                    cwd=unpacked,
                    env=environment,
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                )
            )
        wait_for_port(port, processes[-1], log)
        return f"http://127.0.0.1:{port}"

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def test_hello_answers_the_gateway_path(serve: Callable[[str], str]) -> None:
    reply = requests.post(f"{serve('hello')}/hello", json={"name": "Ada"}, timeout=30)
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"message": "Hello, Ada!"}


def test_make_thumbnail_shrinks_a_jpeg_named_by_a_binary_mode_cloudevent(
    serve: Callable[[str], str], gcp: Provisioned
) -> None:
    from providers.gcp.sdk import storage_client

    url = serve("make_thumbnail")
    uploads = storage_client().bucket(gcp.physical["uploads"])
    image = photo(480, 640)
    uploads.blob("cats/tabby.jpg").upload_from_string(image, content_type="image/jpeg")
    data: dict[str, Any] = fixture("gcp/storage/data/StorageObjectData-simple.json")
    data.update(
        bucket=uploads.name,
        name="cats/tabby.jpg",
        size=str(len(image)),
        contentType="image/jpeg",
        id=f"{uploads.name}/cats/tabby.jpg/1",
    )
    reply = requests.post(
        url,
        data=json.dumps(data),
        timeout=30,
        headers={
            "Content-Type": "application/json",
            "ce-specversion": "1.0",
            "ce-id": "4242",
            "ce-type": "google.cloud.storage.object.v1.finalized",
            "ce-source": f"//storage.googleapis.com/projects/_/buckets/{uploads.name}",
            "ce-subject": "objects/cats/tabby.jpg",
            "ce-time": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "ce-bucket": uploads.name,
        },
    )
    assert reply.status_code == 204, reply.text
    thumbnail = storage_client().bucket(gcp.physical["thumbnails"]).get_blob("cats/tabby.jpg")
    assert thumbnail.content_type == "image/jpeg"
    assert_thumbnail(thumbnail.download_as_bytes(), (150, 200))


def test_nightly_report_called_by_cloud_scheduler_lists_the_days_greetings(
    serve: Callable[[str], str], gcp: Provisioned
) -> None:
    from providers.gcp.sdk import storage_client

    hello = serve("hello")
    for name in ("Linus", "Margaret"):
        assert requests.post(f"{hello}/hello", json={"name": name}, timeout=30).status_code == 200
    today = datetime.now(UTC).date()
    reply = requests.post(
        serve("nightly_report"),
        timeout=30,
        headers={
            "User-Agent": "Google-Cloud-Scheduler",
            "X-CloudScheduler": "true",
            "X-CloudScheduler-JobName": "nightly-report-gcp",
            "X-CloudScheduler-ScheduleTime": report_due_after(today).isoformat().replace("+00:00", "Z"),
        },
    )
    assert reply.status_code == 204, reply.text
    reports = storage_client().bucket(gcp.physical["reports"])
    assert_report(
        reports.blob(f"greetings/{today}.json").download_as_bytes(),
        reports.blob(f"greetings/{today}.csv").download_as_bytes(),
        today,
        ["Linus", "Margaret"],
    )


def test_write_welcome_handles_a_pubsub_push_and_fails_only_what_fails(
    serve: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from portable import table
    from portable.context import using_clients
    from providers.gcp import sdk
    from providers.gcp.clients import client_for

    url = serve("write_welcome")
    push = fixture("gcp/pubsub/push/raw-push-body.json")
    push["message"]["data"] = base64.b64encode(json.dumps({"name": "Ada"}).encode()).decode()
    push["message"]["attributes"] = {"greeting": "g-1"}
    assert requests.post(url, json={**push, "deliveryAttempt": 2}, timeout=30).status_code == 204
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "demo-project")  # the function's project, where it wrote
    sdk.firestore_client.cache_clear()
    with using_clients(client_for):
        assert table("welcome-notes").get("Ada") == {"text": "Welcome, Ada!", "greeting": "g-1"}
    sdk.firestore_client.cache_clear()
    push["message"]["data"] = base64.b64encode(b"not json").decode()
    assert requests.post(url, json=push, timeout=30).status_code == 500, "a failure nacks: Pub/Sub delivers again"
    assert requests.post(url, data=b"{", headers={"Content-Type": "application/json"}, timeout=30).status_code == 400
