"""Queues and topics under Pulumi's mocks on both stacks: the resources, their wiring, least privilege."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.mocks import ACCOUNT, Deployment, run_program

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

REGION = "eu-central-1"
PROJECT = "proj"
QUEUE = "aws:sqs/queue:Queue"
POLICY = "aws:iam/rolePolicy:RolePolicy"
SUBSCRIPTION = "gcp:pubsub/subscription:Subscription"
TOPIC_MEMBER = "gcp:pubsub/topicIAMMember:TopicIAMMember"
AGENT = "serviceAccount:service-1234@gcp-sa-pubsub.iam.gserviceaccount.com"
CONSUMERS = {"work": ("jobs", 7, 5), "bill": ("orders", 10, 10), "email": ("orders", 5, 10)}


@pytest.fixture(scope="module")
def aws_stack() -> Deployment:
    deployment, _ = run_program("aws", {"aws:region": REGION}, package="messageapp")
    return deployment


@pytest.fixture(scope="module")
def gcp_stack() -> Deployment:
    deployment, _ = run_program("gcp", {"gcp:project": PROJECT, "gcp:region": "europe-west1"}, package="messageapp")
    return deployment


def sqs_arn(name: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}-0000001"


def queue_of(function: str) -> str:
    source = CONSUMERS[function][0]
    return f"{source}-queue" if source == "jobs" else f"{source}-{function}-queue"


def test_each_consumer_polls_its_own_queue_reporting_partial_batch_failures(aws_stack: Deployment) -> None:
    mappings = {r.name: r.inputs for r in aws_stack.of_type("aws:lambda/eventSourceMapping:EventSourceMapping")}
    assert set(mappings) == {f"{name}-messages" for name in CONSUMERS}
    for function, (_, _, batch_size) in CONSUMERS.items():
        mapping = mappings[f"{function}-messages"]
        assert mapping["eventSourceArn"] == sqs_arn(queue_of(function))
        assert mapping["functionName"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}-0000001"
        assert mapping["functionResponseTypes"] == ["ReportBatchItemFailures"]
        assert mapping["batchSize"] == batch_size


def test_each_queue_redrives_to_its_dead_letters_after_max_attempts(aws_stack: Deployment) -> None:
    for function, (_, attempts, _) in CONSUMERS.items():
        queue = aws_stack.named(QUEUE, queue_of(function)).inputs
        dead_letters = queue_of(function).removesuffix("-queue") + "-dead-letters"
        assert json.loads(queue["redrivePolicy"]) == {
            "deadLetterTargetArn": sqs_arn(dead_letters),
            "maxReceiveCount": attempts,
        }
        assert queue["messageRetentionSeconds"] == 7 * 24 * 3600
        allow = aws_stack.named("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", f"{dead_letters}-redrive").inputs
        assert json.loads(allow["redriveAllowPolicy"])["sourceQueueArns"] == [sqs_arn(queue_of(function))]
    assert aws_stack.named(QUEUE, "orders-bill-queue").inputs["visibilityTimeoutSeconds"] == 6 * 20


def test_a_topic_fans_out_to_one_queue_per_subscriber_that_admits_only_that_topic(aws_stack: Deployment) -> None:
    subscriptions = {r.name: r.inputs for r in aws_stack.of_type("aws:sns/topicSubscription:TopicSubscription")}
    topic_arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:orders/orders-0000001"
    assert subscriptions == {
        f"orders-{name}": {"topic": topic_arn, "protocol": "sqs", "endpoint": sqs_arn(f"orders-{name}-queue")}
        for name in ("bill", "email")
    }
    for name in ("bill", "email"):
        policy = json.loads(
            aws_stack.named("aws:sqs/queuePolicy:QueuePolicy", f"orders-{name}-from-topic").inputs["policy"]
        )
        (statement,) = policy["Statement"]
        assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
        assert statement["Resource"] == sqs_arn(f"orders-{name}-queue")
        assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": topic_arn}}


def message_statements(stack: Deployment, function: str) -> dict[str, Any]:
    document = stack.policy(stack.named(POLICY, f"{function}-policy"))
    return {
        s["Sid"]: (s["Action"], s["Resource"])
        for s in document["Statement"]
        if any(a.startswith(("sqs:", "sns:")) for a in s["Action"])
    }


def test_functions_send_publish_and_receive_only_what_they_declare(aws_stack: Deployment) -> None:
    topic_arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:orders/orders-0000001"
    # ChangeMessageVisibility: the shim holds a failed message back for the portable backoff, on its own queue only
    receive = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
    assert message_statements(aws_stack, "place") == {
        "SendQueueJobs": (["sqs:SendMessage"], [sqs_arn("jobs-queue")]),
        "PublishTopicOrders": (["sns:Publish"], [topic_arn]),
    }
    assert message_statements(aws_stack, "bill") == {
        "SendQueueJobs": (["sqs:SendMessage"], [sqs_arn("jobs-queue")]),
        "ReceiveOwnQueue": (receive, [sqs_arn("orders-bill-queue")]),
    }
    assert message_statements(aws_stack, "email") == {"ReceiveOwnQueue": (receive, [sqs_arn("orders-email-queue")])}
    assert message_statements(aws_stack, "work") == {"ReceiveOwnQueue": (receive, [sqs_arn("jobs-queue")])}
    for document in (aws_stack.policy(r) for r in aws_stack.of_type(POLICY)):
        assert all(
            "*" not in resource
            for s in document["Statement"]
            for resource in s["Resource"]
            if not resource.endswith(":*")
        )


def test_handles_reach_the_queue_url_and_topic_arn(aws_stack: Deployment) -> None:
    variables = aws_stack.named("aws:lambda/function:Function", "place").inputs["environment"]["variables"]
    assert variables["PORTABLE_QUEUE_JOBS"] == f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/jobs-queue-0000001"
    assert variables["PORTABLE_TOPIC_ORDERS"] == f"arn:aws:sns:{REGION}:{ACCOUNT}:orders/orders-0000001"
    assert aws_stack.outputs["dead_letters"]["work"].endswith("/jobs-dead-letters-0000001")


def test_a_queue_declared_with_delays_deploys_on_aws() -> None:
    deployment, _ = run_program("aws", {"aws:region": REGION}, package="delayedqueue")
    queue = deployment.named(QUEUE, "reminders-queue").inputs
    assert json.loads(queue["redrivePolicy"])["deadLetterTargetArn"] == sqs_arn("reminders-dead-letters")
    mapping = deployment.named("aws:lambda/eventSourceMapping:EventSourceMapping", "ring-messages").inputs
    assert mapping["eventSourceArn"] == sqs_arn("reminders-queue")
    assert message_statements(deployment, "remind") == {
        "SendQueueReminders": (["sqs:SendMessage"], [sqs_arn("reminders-queue")])
    }


def test_gcp_push_subscription_per_consumer_with_retry_and_dead_letter_policies(gcp_stack: Deployment) -> None:
    subscriptions = {r.name: r.inputs for r in gcp_stack.of_type(SUBSCRIPTION)}
    for function, (source, attempts, _) in CONSUMERS.items():
        subscription = subscriptions[f"{function}-messages"]
        assert subscription["topic"] == f"{source}-gcp"
        assert subscription["deadLetterPolicy"] == {
            "deadLetterTopic": f"{function}-dead-letters-id",
            "maxDeliveryAttempts": attempts,
        }
        assert subscription["retryPolicy"] == {"minimumBackoff": "10s", "maximumBackoff": "600s"}
        url = f"https://{function}-gcp-xyz-uc.a.run.app"
        assert subscription["pushConfig"] == {
            "pushEndpoint": url,
            "oidcToken": {
                "serviceAccountEmail": f"inv-{function}-gcp@{PROJECT}.iam.gserviceaccount.com",
                "audience": url,
            },
        }
        kept = subscriptions[f"{function}-dead-letters-kept"]
        assert kept["topic"] == f"{function}-dead-letters-gcp" and "pushConfig" not in kept
    assert subscriptions["bill-messages"]["ackDeadlineSeconds"] == 20
    assert gcp_stack.outputs["dead_letters"]["work"] == "work-dead-letters-gcp"


def test_gcp_pubsub_service_agent_may_dead_letter_and_sign_pushes(gcp_stack: Deployment) -> None:
    for function in CONSUMERS:
        grant = gcp_stack.named(TOPIC_MEMBER, f"{function}-agent-dead-letters").inputs
        assert (grant["topic"], grant["role"], grant["member"]) == (
            f"{function}-dead-letters-gcp",
            "roles/pubsub.publisher",
            AGENT,
        )
        acks = gcp_stack.named(
            "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember", f"{function}-agent-acknowledges"
        ).inputs
        assert (acks["subscription"], acks["role"], acks["member"]) == (
            f"{function}-gcp",
            "roles/pubsub.subscriber",
            AGENT,
        )
        tokens = gcp_stack.named("gcp:serviceaccount/iAMMember:IAMMember", f"{function}-agent-tokens").inputs
        assert tokens["member"] == AGENT and tokens["role"] == "roles/iam.serviceAccountTokenCreator"
        assert tokens["serviceAccountId"].endswith(f"/inv-{function}-gcp@{PROJECT}.iam.gserviceaccount.com")
        invoker = gcp_stack.named("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", f"{function}-invoker").inputs
        assert invoker["member"] == f"serviceAccount:inv-{function}-gcp@{PROJECT}.iam.gserviceaccount.com"


def test_gcp_functions_publish_only_to_what_they_declare(gcp_stack: Deployment) -> None:
    grants = {
        (r.inputs["topic"], r.inputs["member"].split(":")[1].split("@")[0])
        for r in gcp_stack.of_type(TOPIC_MEMBER)
        if r.inputs["member"] != AGENT
    }
    assert grants == {("jobs-gcp", "fun-place-gcp"), ("orders-gcp", "fun-place-gcp"), ("jobs-gcp", "fun-bill-gcp")}
    assert all(r.inputs["role"] == "roles/pubsub.publisher" for r in gcp_stack.of_type(TOPIC_MEMBER))
    variables = gcp_stack.named("gcp:cloudfunctionsv2/function:Function", "place").inputs["serviceConfig"][
        "environmentVariables"
    ]
    assert variables["PORTABLE_QUEUE_JOBS"] == "jobs-gcp" and variables["PORTABLE_TOPIC_ORDERS"] == "orders-gcp"
    services = {r.inputs["service"] for r in gcp_stack.of_type("gcp:projects/service:Service")}
    assert "pubsub.googleapis.com" in services


def test_gcp_archives_of_publishers_carry_the_pubsub_client(gcp_stack: Deployment) -> None:
    import zipfile

    def requirements(function: str) -> str:
        source = gcp_stack.named("gcp:storage/bucketObject:BucketObject", f"{function}-source").inputs["source"]
        with zipfile.ZipFile(source.path) as archive:
            return archive.read("requirements.txt").decode()

    assert "google-cloud-pubsub==" in requirements("place")
    assert "google-cloud-pubsub==" not in requirements("email")
