"""Duplicates injected through each cloud's shim on its real backends: an SQS message and an S3 notification
delivered twice to the Lambda handler (the store and the handler's tables on DynamoDB, on moto), a Pub/Sub push
and an Eventarc CloudEvent posted twice to the functions-framework target (on the Firestore emulator and the
Pub/Sub stand-in). The handler runs once per message or change, and a crash in the middle lets the retry run.
(The same on local data, and through the local runner, is tests/unit/portable/test_idempotency_store.py.)"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from portable.app import ResourceSpec
from portable.errors import EventFailed
from portable.idempotency_store import STORE
from portable.messaging import Queue
from portable.object_trigger import ObjectEvent
from portable.resources import Table
from tests.backends.fixtures import Backend, providers
from tests.backends.message_wire import lambda_records, push_envelope
from tests.support.targets import MAIN, function_env, invoke_aws

MODULE = "tests.apps.once.handlers"
TABLES = ("once-runs", "once-crashes")


@pytest.fixture
def cloud(backend: Backend) -> Backend:
    for spec in [STORE, *(ResourceSpec("table", name) for name in TABLES), ResourceSpec("bucket", "once-uploads")]:
        backend.provision(spec)
    backend.provision(ResourceSpec("queue", "once-jobs"))
    return backend


def runs(key: str) -> int:
    found = Table("once-runs").get(key)
    return int(found["count"]) if found else 0


def deliverer(cloud: Backend, function: str) -> Callable[[Any], bool]:
    """Deliver one native payload to `function` through its cloud's shim; whether the platform counts it done."""
    if cloud.provider == "aws":

        def to_lambda(event: Any) -> bool:
            try:
                reply = invoke_aws(event, function, MODULE, PORTABLE_PROVIDER="aws")
            except EventFailed:
                return False
            return not reply.get("batchItemFailures")

        return to_lambda
    import functions_framework

    with function_env(function, MODULE, PORTABLE_PROVIDER="gcp"):
        client = functions_framework.create_app(target=function, source=str(MAIN)).test_client()  # type: ignore[no-untyped-call]

    def to_function(request: Any) -> bool:
        method, path, headers, body = request
        return bool(client.open(path, method=method, headers=headers, data=body).status_code < 300)

    return to_function


@pytest.mark.parametrize("backend", providers("aws", "gcp"), indirect=True)
def test_a_message_delivered_twice_runs_its_handler_once(cloud: Backend) -> None:
    deliver = deliverer(cloud, "work")
    for body, runs_expected in (("twice", 1), ("crash-then-twice", 1)):
        if cloud.provider == "aws":
            from providers.aws.sdk import client

            sqs, url = client("sqs"), cloud.created["once-jobs"]
            Queue("once-jobs").send(body)
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            records = lambda_records(sqs, url, arn, wait_seconds=1)
            outcomes = [deliver({"Records": records}) for _ in range(3)]
        else:
            from google.cloud import pubsub_v1  # type: ignore[attr-defined]

            physical = cloud.created["once-jobs"]
            subscriber = pubsub_v1.SubscriberClient()
            subscription = physical.replace("/topics/", "/subscriptions/") + f"-{uuid.uuid4().hex[:6]}"
            subscriber.create_subscription(name=subscription, topic=physical)
            Queue("once-jobs").send(body)
            (item,) = subscriber.pull(subscription=subscription, max_messages=10, timeout=5).received_messages
            envelope = push_envelope(item, subscription)
            request = ("POST", "/", {"Content-Type": "application/json"}, json.dumps(envelope).encode())
            outcomes = [deliver(request) for _ in range(3)]
        crashed = "crash" in body
        assert outcomes == ([False, True, True] if crashed else [True, True, True])
        assert runs(f"message/{body}") == runs_expected


@pytest.mark.parametrize("backend", providers("aws", "gcp"), indirect=True)
def test_an_object_event_delivered_twice_runs_its_handler_once(cloud: Backend) -> None:
    import importlib

    from portable.loading import load_app

    spec = load_app("tests.apps.once").function("on_upload")
    codec = importlib.import_module(f"providers.{cloud.provider}.object_codec")
    deliver = deliverer(cloud, "on_upload")
    for key in ("photo.jpg", "crash.jpg"):
        event = ObjectEvent("once-uploads", key, "created", uuid.uuid4().hex, datetime.now(UTC), 3, "etag")
        native = codec.encode(event, spec)
        outcomes = [deliver(native) for _ in range(3)]
        assert outcomes == ([False, True, True] if "crash" in key else [True, True, True])
        assert runs(f"object/{key}") == 1
