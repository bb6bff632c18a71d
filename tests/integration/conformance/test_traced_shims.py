"""One trace through each cloud's shim on its real messaging: an HTTP call, the message it publishes and the job
that message queues, on SNS and SQS (moto) through the Lambda handler, and on Pub/Sub (the stand-in) through the
functions-framework targets. Their log lines name one trace in the cloud's own field: X-Ray's `xray_trace_id` on
AWS, Cloud Logging's `logging.googleapis.com/trace` (with the project) on GCP. (Locally, and through the kit's
targets, tests/unit/portable/test_tracing.py.)"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from portable.app import ResourceSpec
from portable.loading import load_app
from portable.request import Headers, Request
from tests.backends.fixtures import Backend, providers
from tests.backends.message_wire import lambda_records, push_envelope
from tests.support.targets import MAIN, function_env, invoke_aws

MODULE = "tests.apps.traced.chain"
XRAY_ROOT = "1-5759e988-bd862e3fe1be46a994272793"
W3C = "5759e988bd862e3fe1be46a994272793"


def chain_lines(text: str) -> dict[str, dict[str, Any]]:
    found = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return {
        line["message"]: line for line in found if line["message"] in ("signed up", "welcome queued", "welcome sent")
    }


@pytest.mark.parametrize("backend", providers("aws"), indirect=True)
def test_one_trace_through_api_gateway_sns_and_sqs(backend: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    from providers.aws import http_codec
    from providers.aws.sdk import client

    sqs, sns = client("sqs"), client("sns")
    topic_arn = backend.provision(ResourceSpec("topic", "traced-signups"))
    jobs_url = backend.provision(ResourceSpec("queue", "traced-welcome-jobs"))
    subscriber_url = sqs.create_queue(QueueName=f"queue-welcome-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    subscriber_arn = sqs.get_queue_attributes(QueueUrl=subscriber_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=subscriber_arn)
    jobs_arn = sqs.get_queue_attributes(QueueUrl=jobs_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    spec = load_app("tests.apps.traced").function("sign_up")
    request = Request(
        method="POST",
        path="/signups",
        body=b'{"user": "ada"}',
        headers=Headers([("X-Amzn-Trace-Id", f"Root={XRAY_ROOT};Parent=53995c3f42cd8ad8;Sampled=1")]),
        request_id="r-1",
    )
    reply = invoke_aws(http_codec.encode(request, spec), "sign_up", MODULE, PORTABLE_PROVIDER="aws")
    assert json.loads(reply["body"]) == {"trace": W3C}
    published = lambda_records(sqs, subscriber_url, subscriber_arn)
    assert invoke_aws({"Records": published}, "queue_welcome", MODULE, PORTABLE_PROVIDER="aws") == {
        "batchItemFailures": []
    }
    queued = lambda_records(sqs, jobs_url, jobs_arn)
    invoke_aws({"Records": queued}, "send_welcome", MODULE, PORTABLE_PROVIDER="aws")
    chain = chain_lines(capsys.readouterr().err)
    assert sorted(chain) == ["signed up", "welcome queued", "welcome sent"]
    assert {line["xray_trace_id"] for line in chain.values()} == {XRAY_ROOT}
    assert {line["seen"] for line in chain.values()} == {W3C}
    assert chain["welcome queued"]["attributes"] == {"plan": "free"}


@pytest.mark.parametrize("backend", providers("gcp"), indirect=True)
def test_one_trace_through_pubsub(
    backend: Backend, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import functions_framework
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    topic = backend.provision(ResourceSpec("topic", "traced-signups"))
    jobs = backend.provision(ResourceSpec("queue", "traced-welcome-jobs"))
    subscriber = pubsub_v1.SubscriberClient()
    subscriptions = {}
    for function, source in (("queue_welcome", topic), ("send_welcome", jobs)):
        subscriptions[function] = source.replace("/topics/", "/subscriptions/") + "-" + function
        subscriber.create_subscription(name=subscriptions[function], topic=source)
    apps = {}
    for function in ("sign_up", "queue_welcome", "send_welcome"):
        with function_env(function, MODULE, PORTABLE_PROVIDER="gcp"):
            apps[function] = functions_framework.create_app(target=function, source=str(MAIN)).test_client()  # type: ignore[no-untyped-call]
    parent = f"00-{W3C}-00f067aa0ba902b7-01"
    reply = apps["sign_up"].post("/signups", json={"user": "ada"}, headers={"traceparent": parent})
    assert reply.get_json() == {"trace": W3C}
    for function in ("queue_welcome", "send_welcome"):
        (item,) = subscriber.pull(subscription=subscriptions[function], max_messages=10, timeout=5).received_messages
        assert apps[function].post("/", json=push_envelope(item, subscriptions[function])).status_code == 204
    chain = chain_lines(capsys.readouterr().err)
    assert sorted(chain) == ["signed up", "welcome queued", "welcome sent"]
    assert {line["logging.googleapis.com/trace"] for line in chain.values()} == {f"projects/portable-test/traces/{W3C}"}
    spans = [line["logging.googleapis.com/spanId"] for line in chain.values()]
    assert len(set(spans)) == 3 and "00f067aa0ba902b7" not in spans  # each call is a span of its own
