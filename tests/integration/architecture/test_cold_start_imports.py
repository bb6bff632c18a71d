"""What a cold start loads, in a fresh interpreter: the shims stay standard-library only and load only what the
event needs (ARCHITECTURE.md, rule 3)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.measure import CHANGE, FIRING, HTTP_V2, NOTE, UPLOAD
from tests.conftest import ROOT

# What a deployed archive's entry module does (providers/deploy/entry_modules.py), then one event.
PROBE = """
import json, sys
sys.path.insert(0, sys.argv[2])
before = set(sys.modules)
from providers.aws.runtime import bind
handler = bind(sys.argv[3], sys.argv[4])
reply = handler(json.loads(sys.argv[1]), None)
print(json.dumps({"reply": reply, "modules": sorted(set(sys.modules) - before)}))
"""

# What every function loads besides its own module (its package's too): the shim, the runtime core with the
# registry, the function's kind and its codec, and the standard library modules they need. No `typing` (4-7 ms),
# no urllib, no zoneinfo, no dataclasses; an event function loads nothing of HTTP's.
CORE = {
    "portable",
    "portable.app",
    "portable.context",
    "portable.cors_policy",
    "portable.decorators",
    "portable.delivery",
    "portable.errors",
    "portable.events",
    "portable.limits",
    "portable.log",
    "portable.retries",
    "portable.runtime_typing",
    "portable.settings",
    "portable.tracing",
    "portable.triggers",
    "providers",
    "providers.aws",
    "providers.aws.runtime",
    "providers.aws.trace_header",
    "providers.binding",
}
HTTP = {
    "portable.http_trigger",
    "portable.replies",
    "portable.request",
    "portable.routes",
    "providers.aws.http_codec",
}
PER_KIND = {
    "http": CORE | HTTP,
    # The bucket handle without the types of what its data methods return (portable.storage_types: annotations only).
    "object": CORE
    | {
        "portable.object_trigger",
        "portable.event_times",
        "providers.aws.object_codec",
        "portable.handles",
        "portable.resources",
        "portable.data_rules",
    },
    "schedule": CORE | {"portable.schedule_trigger", "portable.event_times", "providers.aws.schedule_codec"},
    # A queue's handle without the bucket and table code; base64 only for a body that is not text.
    "message": CORE
    | {
        "portable.message_trigger",
        "portable.messaging",
        "portable.handles",
        "portable.event_times",
        "providers.aws.message_codec",
    },
    # The change kind reads DynamoDB's typed values without boto3, and shares the message kind's policy; the table
    # handle, like the bucket's, loads without portable.storage_types.
    "change": CORE
    | {
        "portable.change_trigger",
        "portable.message_trigger",
        "providers.aws.change_codec",
        "providers.aws.dynamodb_keys",
        "portable.handles",
        "portable.resources",
        "portable.data_rules",
    },
}
# The standard library modules a cold start may load (some are loaded already, depending on the Python version); not
# contextlib, which takes 3.12 a millisecond to import.
STANDARD_LIBRARY = {
    "__future__",
    "_collections_abc",
    "_contextvars",
    "_datetime",
    "_stat",
    "collections",
    "collections.abc",
    "contextvars",
    "datetime",
    "genericpath",
    "importlib",
    "importlib._abc",
    "importlib._bootstrap",
    "importlib._bootstrap_external",
    "importlib.machinery",
    "math",
    "os",
    "os.path",
    "posixpath",
    "stat",
    "warnings",
}


def loaded_modules(
    function: str, module: str, event: object = HTTP_V2, site_packages: bool = False
) -> tuple[dict[str, object], set[str]]:
    env = {"PATH": "/usr/bin:/bin"}
    # -S: no site-packages, as in a Lambda archive that ships no third-party package.
    done = subprocess.run(
        [
            sys.executable,
            *([] if site_packages else ["-S"]),
            "-E",
            "-c",
            PROBE,
            json.dumps(event),
            str(ROOT),
            function,
            module,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result = json.loads(done.stdout)
    return result["reply"], set(result["modules"])


@pytest.mark.parametrize(
    ("kind", "function", "module", "event"),
    [
        ("http", "greet", "bench.app.greet", HTTP_V2),
        ("object", "uploaded", "bench.app.uploaded", UPLOAD),
        ("schedule", "tick", "bench.app.tick", FIRING),
        ("message", "noted", "bench.app.noted", NOTE),
        ("change", "changed", "bench.app.changed", CHANGE),
    ],
)
def test_each_kind_of_function_loads_exactly_its_modules(kind: str, function: str, module: str, event: object) -> None:
    reply, modules = loaded_modules(function, module, event)
    assert reply.get("statusCode", reply.get("status")) == 200 or reply == {"batchItemFailures": []}, reply
    ours = {name for name in modules if name.split(".")[0] in ("portable", "providers")}
    assert ours == PER_KIND[kind]
    others = modules - ours - {"bench", "bench.app", module}
    assert others <= STANDARD_LIBRARY, sorted(others - STANDARD_LIBRARY)


def test_an_http_cold_start_loads_no_sdk_and_nothing_it_does_not_need() -> None:
    reply, modules = loaded_modules("greet", "bench.app.greet")
    assert json.loads(reply["body"]) == {"message": "Hello, Alice!"}
    assert "portable.auth" not in modules, "an open route reads no claims"
    for heavy in ("boto3", "botocore", "google", "flask", "pulumi", "PIL", "croniter"):
        assert not any(name == heavy or name.startswith(heavy + ".") for name in modules), heavy
    for unneeded in (
        "portable.schedules",
        "portable.resources",
        "portable.data_rules",
        "providers.aws.object_codec",
        "dataclasses",
        "inspect",
        "uuid",
        "urllib.parse",
        "base64",
        "traceback",
        "zoneinfo",
        "typing",
        "datetime",
    ):
        assert unneeded not in modules, unneeded


def test_opentelemetry_is_never_imported_by_an_app_that_did_not_import_it() -> None:
    """Installed (it is, here, with site-packages) but not imported and configured by the app: nothing of it loads."""
    for function, module, event in (("greet", "bench.app.greet", HTTP_V2), ("noted", "bench.app.noted", NOTE)):
        _, modules = loaded_modules(function, module, event, site_packages=True)
        assert not {name for name in modules if name.startswith("opentelemetry")}, function
        assert "portable.otel" not in modules


TYPED = {"portable.http_types", "portable.shapes"}


def typed_event(path: str) -> dict[str, object]:
    event = json.loads(json.dumps(HTTP_V2))
    event["routeKey"], event["rawPath"] = f"POST {path}", path
    event["requestContext"]["http"]["path"] = path
    return event


def test_a_dataclass_typed_cold_start_loads_the_standard_library_validators_and_no_pydantic() -> None:
    """Dataclasses are validated with the standard library: no Pydantic, and no `typing` either."""
    reply, modules = loaded_modules("greet_typed", "bench.app.greet_typed", typed_event("/hello-typed"))
    assert json.loads(str(reply["body"])) == {"message": "Hello, Alice!"}
    ours = {name for name in modules if name.split(".")[0] in ("portable", "providers")}
    assert ours == CORE | HTTP | TYPED
    for unneeded in ("pydantic", "pydantic_core", "typing", "datetime", "portable.pydantic_shapes", "portable.openapi"):
        assert unneeded not in modules, unneeded


def test_only_a_function_that_uses_pydantic_loads_it() -> None:
    untyped = loaded_modules("greet", "bench.app.greet", site_packages=True)[1]
    assert not {"pydantic", "portable.http_types", "portable.shapes"} & untyped
    reply, modules = loaded_modules(
        "greet_pydantic", "bench.app.greet_pydantic", typed_event("/hello-pydantic"), site_packages=True
    )
    assert json.loads(str(reply["body"])) == {"message": "Hello, Alice!"}
    assert {"pydantic", "portable.pydantic_shapes"} <= modules


def test_a_scheduled_cold_start_needs_neither_the_grammar_nor_zone_data() -> None:
    """The deploy checked the schedule; the function only needs its name and the firing's time."""
    reply, modules = loaded_modules("tick", "bench.app.tick", FIRING)
    assert reply == {"status": 200, "delivered": 1}
    for unneeded in ("portable.schedules", "portable.timezones", "zoneinfo", "dataclasses", "croniter", "typing"):
        assert unneeded not in modules, unneeded


def test_a_message_cold_start_loads_no_sdk_and_only_the_sqs_format() -> None:
    event = json.loads((ROOT / "tests/fixtures/aws/sqs/batch-two-records-message-attribute.json").read_text())
    reply, modules = loaded_modules("read_letter", "tests.apps.conformance.mail", event)
    assert reply == {"batchItemFailures": []}
    for heavy in ("boto3", "botocore", "google", "flask", "pulumi"):
        assert not any(name == heavy or name.startswith(heavy + ".") for name in modules), heavy
    for unneeded in (
        "providers.aws.object_codec",
        "providers.aws.sqs",
        "providers.aws.schedule_codec",
        "portable.schedules",
        "zoneinfo",
    ):
        assert unneeded not in modules, unneeded


# Every module loaded, the standard library's included.
EVERY_MODULE_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[2])
from providers.aws.runtime import bind
reply = bind("whoami", "tests.apps.edge.guarded")(json.loads(sys.argv[1]), None)
print(json.dumps({"reply": reply, "modules": sorted(sys.modules)}))
"""


def test_an_auth_route_cold_start_loads_no_jwt_library() -> None:
    """The gateway verified the token; the deployed function only reads the claims."""
    event = json.loads((ROOT / "tests/fixtures/aws/apigw-v2/jwt-cognito-id-token-scopes-null.json").read_text())
    env = {"PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-S", "-E", "-c", EVERY_MODULE_PROBE, json.dumps(event), str(ROOT)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result = json.loads(done.stdout)
    assert json.loads(result["reply"]["body"])["auth"]["subject"] == "d2f50444-0041-7036-aea2-a955fca33d37"
    assert not [name for name in result["modules"] if name.split(".")[0] in ("jwt", "cryptography", "flask")]
