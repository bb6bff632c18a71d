"""The gcp stack under Pulumi's mocks: resource graph, wiring, least privilege, outputs."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from portable.retries import RetryPolicy
from tests.support.mocks import GCS_AGENT, Deployment, run_program

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PROJECT = "demo-project"
FUNCTION = "gcp:cloudfunctionsv2/function:Function"
RUN_INVOKER = "gcp:cloudrunv2/serviceIamMember:ServiceIamMember"
JOB = "gcp:cloudscheduler/job:Job"
DATABASE = "gcp:firestore/database:Database"


@pytest.fixture(scope="module")
def gcp_stack() -> Deployment:
    deployment, _ = run_program("gcp", {"gcp:project": PROJECT, "gcp:region": "europe-west1"})
    return deployment


@pytest.fixture(scope="module")
def disposable_stack() -> Deployment:
    deployment, _ = run_program(
        "gcp", {"gcp:project": PROJECT, "gcp:region": "europe-west1", "portable:allowDataDeletion": "true"}
    )
    return deployment


def url(function: str) -> str:
    return f"https://{function.replace('_', '-')}-gcp-xyz-uc.a.run.app"


def account(role: str, function: str) -> str:
    return f"serviceAccount:{role}-{function.replace('_', '-')}-gcp@{PROJECT}.iam.gserviceaccount.com"


def test_functions_run_main_py_targets_with_their_own_service_account(gcp_stack: Deployment) -> None:
    functions = {r.name: r.inputs for r in gcp_stack.of_type(FUNCTION)}
    assert set(functions) == {"hello", "show_greeting", "files", "make_thumbnail", "forget", "nightly_report", "tick"}
    emails = set()
    for name, inputs in functions.items():
        assert inputs["buildConfig"]["runtime"] == "python312"
        assert inputs["buildConfig"]["entryPoint"] == name
        assert inputs["buildConfig"]["source"]["storageSource"]["object"].startswith(f"{name}/")
        service = inputs["serviceConfig"]
        emails.add(service["serviceAccountEmail"])
    assert len(emails) == len(functions)
    variables = functions["nightly_report"]["serviceConfig"]["environmentVariables"]
    assert variables == {
        "GOOGLE_CLOUD_PROJECT": PROJECT,
        "PORTABLE_TABLE_GREETINGS": "gcp-greetings",
        "PORTABLE_BUCKET_REPORTS": "reports-0000001",
    }


def openapi(gcp_stack: Deployment) -> dict[str, Any]:
    config = gcp_stack.named("gcp:apigateway/apiConfig:ApiConfig", "http-api-config").inputs
    (document,) = config["openapiDocuments"]
    return dict(json.loads(base64.b64decode(document["document"]["contents"])))


def test_gateway_routes_reach_their_functions_with_the_same_paths(gcp_stack: Deployment) -> None:
    spec = openapi(gcp_stack)
    assert spec["swagger"] == "2.0"
    wiring = {
        (path, method): operation["x-google-backend"]["address"]
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    }
    assert wiring["/hello", "post"] == url("hello")
    assert wiring["/greetings/{id}", "get"] == url("show_greeting")
    assert {method for path, method in wiring if path == "/files/{path=**}"} == {
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "options",
    }
    assert len(wiring) == 9
    for item in spec["paths"].values():
        for operation in item.values():
            backend = operation["x-google-backend"]
            assert backend["path_translation"] == "APPEND_PATH_TO_ADDRESS"
            assert backend["jwt_audience"] == backend["address"]


def test_only_the_gateway_may_call_http_functions(gcp_stack: Deployment) -> None:
    config = gcp_stack.named("gcp:apigateway/apiConfig:ApiConfig", "http-api-config").inputs
    gateway_email = config["gatewayConfig"]["backendConfig"]["googleServiceAccount"]
    grants = {(r.inputs["name"], r.inputs["member"]) for r in gcp_stack.of_type(RUN_INVOKER)}
    for function in ("hello", "show_greeting", "files"):
        service = f"{function.replace('_', '-')}-gcp"
        assert {member for name, member in grants if name == service} == {f"serviceAccount:{gateway_email}"}
    everyone = [r for r in gcp_stack.resources if r.inputs.get("member") in ("allUsers", "allAuthenticatedUsers")]
    assert everyone == []


def test_storage_events_reach_their_function_through_eventarc(gcp_stack: Deployment) -> None:
    triggers = {name: gcp_stack.named(FUNCTION, name).inputs["eventTrigger"] for name in ("make_thumbnail", "forget")}
    assert triggers["make_thumbnail"]["eventType"] == "google.cloud.storage.object.v1.finalized"
    assert triggers["forget"]["eventType"] == "google.cloud.storage.object.v1.deleted"
    for name, trigger in triggers.items():
        assert trigger["eventFilters"] == [{"attribute": "bucket", "value": "uploads-0000001"}]
        invoker = account("inv", name)
        assert f"serviceAccount:{trigger['serviceAccountEmail']}" == invoker
        assert {
            (r.inputs["name"], r.inputs["member"])
            for r in gcp_stack.of_type(RUN_INVOKER)
            if r.inputs["member"] == invoker
        } == {(f"{name.replace('_', '-')}-gcp", invoker)}
        receiver = gcp_stack.named("gcp:projects/iAMMember:IAMMember", f"{name}-event-receiver").inputs
        assert (receiver["role"], receiver["member"]) == ("roles/eventarc.eventReceiver", invoker)
    publisher = gcp_stack.named("gcp:projects/iAMMember:IAMMember", "storage-agent-publisher").inputs
    assert (publisher["role"], publisher["member"]) == ("roles/pubsub.publisher", f"serviceAccount:{GCS_AGENT}")
    assert "eventTrigger" not in gcp_stack.named(FUNCTION, "hello").inputs


def test_scheduler_jobs_call_their_function_with_an_oidc_token(gcp_stack: Deployment) -> None:
    nightly = gcp_stack.named("gcp:cloudscheduler/job:Job", "nightly_report").inputs
    assert (nightly["schedule"], nightly["timeZone"]) == ("30 2 * * 1-5", "Europe/Berlin")
    target = nightly["httpTarget"]
    assert target["uri"] == url("nightly_report")
    assert target["oidcToken"]["audience"] == url("nightly_report")
    assert f"serviceAccount:{target['oidcToken']['serviceAccountEmail']}" == account("inv", "nightly_report")
    tick = gcp_stack.named("gcp:cloudscheduler/job:Job", "tick").inputs
    assert (tick["schedule"], tick["timeZone"]) == ("*/15 * * * *", "UTC")
    assert tick["httpTarget"]["uri"] == url("tick")


def scheduler_intervals(config: dict[str, Any]) -> list[int]:
    """The waits before each retry, by Cloud Scheduler's documented rule: min_backoff doubled max_doublings times,
    then growing linearly by the last doubled value, never above max_backoff."""
    low, high = (int(config[key].removesuffix("s")) for key in ("minBackoffDuration", "maxBackoffDuration"))
    doublings = int(config["maxDoublings"])
    intervals = []
    for retry in range(int(config["retryCount"])):
        doubled = low * 2 ** min(retry, doublings)
        linear = low * 2**doublings * (retry - doublings)
        intervals.append(min(doubled + max(linear, 0), high))
    return intervals


def test_scheduler_jobs_retry_by_the_functions_policy_with_the_portable_backoff(gcp_stack: Deployment) -> None:
    nightly = gcp_stack.named(JOB, "nightly_report").inputs["retryConfig"]
    tick = gcp_stack.named(JOB, "tick").inputs["retryConfig"]
    assert nightly["retryCount"] == 0  # RetryPolicy(attempts=1)
    assert tick == {"retryCount": 2, "minBackoffDuration": "60s", "maxBackoffDuration": "600s", "maxDoublings": 4}
    assert "maxRetryDuration" not in tick  # it would add attempts: Cloud Scheduler retries until both limits are met
    documented = {"minBackoffDuration": "10s", "maxBackoffDuration": "300s", "maxDoublings": 3, "retryCount": 8}
    assert scheduler_intervals(documented) == [10, 20, 40, 80, 160, 240, 300, 300]  # Cloud Scheduler's own example
    assert scheduler_intervals(tick) == [60, 120]
    policy = RetryPolicy()
    widest = dict(tick, retryCount=5)  # Cloud Scheduler's own limit
    assert scheduler_intervals(widest) == [policy.delay_before(attempt) for attempt in range(2, 7)]


def test_resources_wait_for_the_grants_their_first_call_needs(gcp_stack: Deployment) -> None:
    for name in ("nightly_report", "tick"):
        assert f"{name}-invoker" in gcp_stack.named(JOB, name).depends_on
    config = gcp_stack.named("gcp:apigateway/apiConfig:ApiConfig", "http-api-config")
    assert {"hello-gateway-invoker", "show_greeting-gateway-invoker", "files-gateway-invoker"} <= config.depends_on
    for name in ("make_thumbnail", "forget"):
        assert {f"{name}-event-receiver", "storage-agent-publisher"} <= gcp_stack.named(FUNCTION, name).depends_on


def test_bucket_and_table_roles_follow_the_declarations(gcp_stack: Deployment) -> None:
    bucket_roles = {
        (r.inputs["member"], r.inputs["bucket"], r.inputs["role"])
        for r in gcp_stack.of_type("gcp:storage/bucketIAMMember:BucketIAMMember")
    }
    assert bucket_roles == {
        (account("fun", "files"), "uploads-0000001", "roles/storage.objectViewer"),
        (account("fun", "make_thumbnail"), "uploads-0000001", "roles/storage.objectViewer"),
        (account("fun", "make_thumbnail"), "thumbnails-0000001", "roles/storage.objectUser"),
        (account("fun", "forget"), "uploads-0000001", "roles/storage.objectViewer"),
        (account("fun", "nightly_report"), "reports-0000001", "roles/storage.objectUser"),
    }
    firestore = {
        r.name: r.inputs
        for r in gcp_stack.of_type("gcp:projects/iAMMember:IAMMember")
        if r.inputs["role"].startswith("roles/datastore.")
    }
    assert {name: (inputs["member"], inputs["role"]) for name, inputs in firestore.items()} == {
        "show_greeting-firestore-access": (account("fun", "show_greeting"), "roles/datastore.viewer"),
        "nightly_report-firestore-access": (account("fun", "nightly_report"), "roles/datastore.viewer"),
        "tick-firestore-access": (account("fun", "tick"), "roles/datastore.user"),
    }
    for inputs in firestore.values():
        assert inputs["condition"]["expression"] == f'resource.name == "projects/{PROJECT}/databases/(default)"'


def test_project_level_roles_are_only_the_unavoidable_ones(gcp_stack: Deployment) -> None:
    roles = {r.inputs["role"] for r in gcp_stack.of_type("gcp:projects/iAMMember:IAMMember")}
    assert roles == {
        "roles/eventarc.eventReceiver",
        "roles/pubsub.publisher",
        "roles/datastore.viewer",
        "roles/datastore.user",
    }


def test_buckets_are_uniform_and_never_public(gcp_stack: Deployment) -> None:
    for bucket in gcp_stack.of_type("gcp:storage/bucket:Bucket"):
        assert bucket.inputs["uniformBucketLevelAccess"] is True
        assert bucket.inputs["publicAccessPrevention"] == "enforced"


def test_needed_apis_are_enabled(gcp_stack: Deployment) -> None:
    services = {r.inputs["service"] for r in gcp_stack.of_type("gcp:projects/service:Service")}
    assert {
        "cloudfunctions.googleapis.com",
        "run.googleapis.com",
        "cloudbuild.googleapis.com",
        "eventarc.googleapis.com",
        "cloudscheduler.googleapis.com",
        "apigateway.googleapis.com",
        "firestore.googleapis.com",
    } <= services


def test_outputs_name_the_gateway_and_every_physical_resource(gcp_stack: Deployment) -> None:
    assert gcp_stack.outputs["api_url"] == "https://portable-gcp-abc.uc.gateway.dev"
    assert gcp_stack.outputs["tables"] == {"greetings": "gcp-greetings"}
    assert gcp_stack.outputs["buckets"]["uploads"] == "uploads-0000001"
    assert gcp_stack.outputs["functions"]["make_thumbnail"] == "make-thumbnail-gcp"
    assert gcp_stack.outputs["dead_letters"] == {
        name: f'resource.labels.service_name="{name.replace("_", "-")}-gcp" AND jsonPayload.dead_letter=true'
        for name in ("make_thumbnail", "forget")
    }


def data_buckets(deployment: Deployment) -> list[Any]:
    return [r for r in deployment.of_type("gcp:storage/bucket:Bucket") if r.name != "function-sources"]


def test_destroy_keeps_buckets_and_the_firestore_database_by_default(gcp_stack: Deployment) -> None:
    buckets = data_buckets(gcp_stack)
    assert {r.name for r in buckets} == {"uploads", "thumbnails", "reports"}
    assert all(r.retain_on_delete and r.inputs["forceDestroy"] is False for r in buckets)
    database = gcp_stack.named(DATABASE, "firestore")
    assert database.retain_on_delete
    assert database.inputs["deleteProtectionState"] == "DELETE_PROTECTION_ENABLED"
    assert database.inputs["deletionPolicy"] == "ABANDON"
    assert {r.name for r in gcp_stack.resources if r.retain_on_delete} == {
        "uploads",
        "thumbnails",
        "reports",
        "firestore",
    }
    sources = gcp_stack.named("gcp:storage/bucket:Bucket", "function-sources")
    assert sources.inputs["forceDestroy"] is True and not sources.retain_on_delete


def test_allow_data_deletion_lets_destroy_delete_the_database_and_the_buckets(disposable_stack: Deployment) -> None:
    assert not [r for r in disposable_stack.resources if r.retain_on_delete]
    assert all(r.inputs["forceDestroy"] is True for r in data_buckets(disposable_stack))
    database = disposable_stack.named(DATABASE, "firestore").inputs
    assert (database["deleteProtectionState"], database["deletionPolicy"]) == ("DELETE_PROTECTION_DISABLED", "DELETE")


def test_functions_that_may_sign_urls_get_the_api_signblob_needs() -> None:
    """IAM's signBlob, through which functions sign URLs, is served by the IAM Service Account Credentials API."""
    services = {"sampleapp": True, "messageapp": False}
    for package, signs in services.items():
        deployment, _ = run_program("gcp", {"gcp:project": PROJECT, "gcp:region": "europe-west1"}, package)
        enabled = {r.inputs["service"] for r in deployment.of_type("gcp:projects/service:Service")}
        assert ("iamcredentials.googleapis.com" in enabled) is signs, package


def test_a_stack_names_the_account_cloud_build_builds_its_functions_as() -> None:
    config = {"gcp:project": PROJECT, "gcp:region": "europe-west1"}
    default, _ = run_program("gcp", config)
    assert all("serviceAccount" not in r.inputs["buildConfig"] for r in default.of_type(FUNCTION))
    email = f"builder@{PROJECT}.iam.gserviceaccount.com"
    for given in (email, f"projects/{PROJECT}/serviceAccounts/{email}"):
        named, _ = run_program("gcp", {**config, "portable:buildServiceAccount": given})
        accounts = {r.inputs["buildConfig"]["serviceAccount"] for r in named.of_type(FUNCTION)}
        assert accounts == {f"projects/{PROJECT}/serviceAccounts/{email}"}, given


def test_the_api_config_id_fits_however_long_the_project_and_stack_are() -> None:
    from providers.deploy.preview import run_program as run_preview
    from tests.support.mocks import APPS, RecordingMocks

    stack = "production-europe-west-with-a-long-name"
    config = {"gcp:project": PROJECT, "gcp:region": "europe-west1", "portable:cloud": "gcp"}
    preview = run_preview(
        stack,
        config,
        project="a-long-project-name",
        package="sampleapp",
        search_path=str(APPS),
        mocks=RecordingMocks("europe-west1"),
    )
    (api_config,) = [r for r in preview.resources if r.type == "gcp:apigateway/apiConfig:ApiConfig"]
    prefix = api_config.inputs["apiConfigIdPrefix"]
    assert prefix.startswith("a-long-project-name-productio") and prefix.endswith("-")
    assert len(prefix) + 26 <= 63, "the provider appends 26 characters to the prefix"
