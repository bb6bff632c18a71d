"""pytest fixtures: one `backend` fixture parametrized over local, AWS (moto) and GCP (emulators).

Servers start once per test session (per xdist worker) on free loopback ports; every test
gets fresh, uniquely named buckets and tables, so tests never see each other's data.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from portable.app import ResourceSpec
from portable.context import physical_name_variable, using_clients
from tests.backends import servers

ROOT = servers.ROOT
# The clouds' backends start servers: slow. A test that runs on some of them takes providers("gcp"), marks and all.
PROVIDERS = [
    pytest.param("local"),
    pytest.param("aws", marks=pytest.mark.slow),
    pytest.param("gcp", marks=pytest.mark.slow),
]


def providers(*names: str) -> list[Any]:
    """The `backend` parameters of the providers `names`, with their marks: for
    `@pytest.mark.parametrize("backend", providers(...), indirect=True)`."""
    chosen = [param for param in PROVIDERS if param.values[0] in names]
    assert len(chosen) == len(names), f"no provider among {names} is one of local, aws, gcp"
    return chosen


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    with servers.moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def moto_sdk(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """providers.aws.sdk.client, its boto3 clients pointed at moto's server with dummy credentials."""
    from providers.aws import sdk

    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    sdk.client.cache_clear()
    yield sdk.client
    sdk.client.cache_clear()


@pytest.fixture(scope="session")
def storage_emulator_endpoint() -> Iterator[str]:
    with servers.storage_emulator() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def pubsub_emulator_host() -> Iterator[str]:
    with servers.pubsub_emulator() as host:
        yield host


@pytest.fixture(scope="session")
def firestore_emulator_host() -> Iterator[str]:
    with servers.firestore_emulator() as host:
        yield host


@pytest.fixture(scope="session")
def secret_manager_host() -> Iterator[str]:
    from tests.backends.secret_manager import secret_manager_server

    with secret_manager_server() as host:
        yield host


@dataclass
class Backend:
    """A provider's data clients, pointed at loopback servers, with a way to create resources."""

    provider: str
    client_for: Callable[[ResourceSpec], Any]
    monkeypatch: pytest.MonkeyPatch
    created: dict[str, str] = field(default_factory=dict)

    def provision(self, spec: ResourceSpec) -> str:
        """Create a fresh physical resource for `spec` and point its handle at it; return its name."""
        physical = f"{spec.name}-{uuid.uuid4().hex[:10]}"
        if spec.kind in ("queue", "topic"):
            physical = create_message_resource(self.provider, spec.kind, physical)
        else:
            create_resource(self.provider, spec.kind, physical)
        self.monkeypatch.setenv(physical_name_variable(spec), physical)
        self.created[spec.name] = physical
        return physical

    def point_at_missing(self, spec: ResourceSpec) -> None:
        self.monkeypatch.setenv(physical_name_variable(spec), f"missing-{uuid.uuid4().hex[:10]}")

    def provision_secret(self, spec: ResourceSpec, value: str | None) -> None:
        """A fresh secret for `spec` holding `value` (None: a secret without a value), the handle pointed at it."""
        physical = create_secret(self.provider, f"{spec.name}_{uuid.uuid4().hex[:10]}", self.monkeypatch)
        self.monkeypatch.setenv(physical_name_variable(spec), physical)
        if value is not None:
            self.set_secret(spec, value)

    def set_secret(self, spec: ResourceSpec, value: str) -> None:
        """Give the secret a new value (a new version on the clouds), as `pulumi up` after `pulumi config set`."""
        import os

        physical = os.environ[physical_name_variable(spec)]
        if self.provider == "aws":
            from providers.aws.sdk import client

            client("secretsmanager").put_secret_value(SecretId=physical, SecretString=value)
        elif self.provider == "gcp":
            from providers.gcp.sdk import secret_client

            secret_client().add_secret_version(parent=physical, payload={"data": value.encode()})
        else:
            from providers.local.secrets import value_variable

            self.monkeypatch.setenv(value_variable(spec.name), value)


def create_secret(provider: str, physical: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The secret's name as the deploy sets it: an ARN on AWS, a resource name on GCP, the name locally."""
    if provider == "aws":
        from providers.aws.sdk import client

        arn: str = client("secretsmanager").create_secret(Name=physical)["ARN"]
        return arn
    if provider == "gcp":
        from providers.gcp.sdk import secret_client

        secret = secret_client().create_secret(
            parent="projects/portable-test", secret_id=physical, secret={"replication": {"automatic": {}}}
        )
        name: str = secret.name
        return name
    return physical


def create_resource(provider: str, kind: str, physical: str) -> None:
    if provider == "aws":
        from providers.aws.dynamodb_keys import KEY_ATTRIBUTE, PARTITION_ATTRIBUTE
        from providers.aws.sdk import client

        if kind == "bucket":
            client("s3").create_bucket(Bucket=physical)
        else:
            client("dynamodb").create_table(
                TableName=physical,
                BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[
                    {"AttributeName": PARTITION_ATTRIBUTE, "AttributeType": "S"},
                    {"AttributeName": KEY_ATTRIBUTE, "AttributeType": "S"},
                ],
                KeySchema=[
                    {"AttributeName": PARTITION_ATTRIBUTE, "KeyType": "HASH"},
                    {"AttributeName": KEY_ATTRIBUTE, "KeyType": "RANGE"},
                ],
            )
    elif provider == "gcp" and kind == "bucket":
        from providers.gcp.sdk import storage_client

        storage_client().create_bucket(physical)
    # Local resources and Firestore collections come into being on first write.


def create_message_resource(provider: str, kind: str, name: str) -> str:
    """A fresh queue or topic on the provider's loopback server; what its handle's variable names (the SQS queue's
    URL, the SNS topic's ARN, the Pub/Sub topic's id). Locally, the name: local messages need nothing made."""
    if provider == "local":
        return name
    if provider == "aws":
        from providers.aws.sdk import client

        if kind == "queue":
            url: str = client("sqs").create_queue(QueueName=name)["QueueUrl"]
            return url
        arn: str = client("sns").create_topic(Name=name)["TopicArn"]
        return arn
    from providers.gcp.sdk import publisher_client, topic_path

    path: str = topic_path(name)
    publisher_client().create_topic(name=path)
    return path


def point_environment(provider: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Set the variables the provider's SDK reads, and drop cached clients built for other endpoints."""
    if provider == "aws":
        from providers.aws import sdk as aws_sdk

        monkeypatch.setenv("AWS_ENDPOINT_URL", request.getfixturevalue("moto_endpoint"))
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
        aws_sdk.client.cache_clear()
    elif provider == "gcp":
        from providers.gcp import sdk as gcp_sdk

        monkeypatch.setenv("STORAGE_EMULATOR_HOST", request.getfixturevalue("storage_emulator_endpoint"))
        monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", request.getfixturevalue("firestore_emulator_host"))
        monkeypatch.setenv("SECRET_MANAGER_EMULATOR_HOST", request.getfixturevalue("secret_manager_host"))
        monkeypatch.setenv("PUBSUB_EMULATOR_HOST", request.getfixturevalue("pubsub_emulator_host"))
        monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "portable-test")
        monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
        gcp_sdk.storage_client.cache_clear()
        gcp_sdk.firestore_client.cache_clear()
        gcp_sdk.secret_client.cache_clear()
        gcp_sdk.publisher_client.cache_clear()


def provider_clients(provider: str) -> Callable[[ResourceSpec], Any]:
    if provider == "aws":
        from providers.aws.clients import client_for
    elif provider == "gcp":
        from providers.gcp.clients import client_for
    else:
        from providers.local.clients import client_for
    return client_for


@pytest.fixture(params=PROVIDERS)
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[Backend]:
    provider: str = request.param
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "local"))
    point_environment(provider, request, monkeypatch)
    client_for = provider_clients(provider)
    with using_clients(client_for):
        yield Backend(provider, client_for, monkeypatch)
