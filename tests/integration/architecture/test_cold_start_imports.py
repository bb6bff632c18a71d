"""What a cold start loads, in a fresh interpreter: the shims stay standard-library only and load only what the
event needs (ARCHITECTURE.md, rule 3)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.measure import FIRING, HTTP_V2, UPLOAD
from tests.conftest import ROOT

PROBE = """
import json, sys
sys.path.insert(0, sys.argv[2])
before = set(sys.modules)
from providers.aws.runtime import handler
reply = handler(json.loads(sys.argv[1]), None)
print(json.dumps({"reply": reply, "modules": sorted(set(sys.modules) - before)}))
"""

# What every function loads besides its own module (its package's too): the shim, the runtime core, and the
# standard library modules they need. No `typing` (4-7 ms), no urllib, no zoneinfo, no dataclasses.
CORE = {
    "portable",
    "portable.app",
    "portable.auth",
    "portable.context",
    "portable.cors_policy",
    "portable.decorators",
    "portable.errors",
    "portable.events",
    "portable.invoke",
    "portable.limits",
    "portable.log",
    "portable.request",
    "portable.retries",
    "portable.routes",
    "portable.runtime_typing",
    "portable.settings",
    "providers",
    "providers.aws",
    "providers.aws.http_events",
    "providers.aws.runtime",
    "providers.binding",
}
PER_KIND = {
    "http": CORE,
    "object": CORE | {"providers.aws.s3_events", "portable.resources", "portable.data_rules", "portable.storage_types"},
    "schedule": CORE | {"providers.aws.schedule_events"},
}
# The standard library modules a cold start may load (some are loaded already, depending on the Python version).
STANDARD_LIBRARY = {
    "__future__",
    "_collections_abc",
    "_contextvars",
    "_datetime",
    "_stat",
    "collections",
    "collections.abc",
    "contextlib",
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
    env = {"PATH": "/usr/bin:/bin", "PORTABLE_FUNCTION": function, "PORTABLE_MODULE": module}
    # -S: no site-packages, as in a Lambda archive that ships no third-party package.
    done = subprocess.run(
        [sys.executable, *([] if site_packages else ["-S"]), "-E", "-c", PROBE, json.dumps(event), str(ROOT)],
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
    ],
)
def test_each_kind_of_function_loads_exactly_its_modules(kind: str, function: str, module: str, event: object) -> None:
    reply, modules = loaded_modules(function, module, event)
    assert reply.get("statusCode", reply.get("status")) == 200, reply
    ours = {name for name in modules if name.split(".")[0] in ("portable", "providers")}
    assert ours == PER_KIND[kind]
    others = modules - ours - {"bench", "bench.app", module}
    assert others <= STANDARD_LIBRARY, sorted(others - STANDARD_LIBRARY)


def test_an_http_cold_start_loads_no_sdk_and_nothing_it_does_not_need() -> None:
    reply, modules = loaded_modules("greet", "bench.app.greet")
    assert json.loads(reply["body"]) == {"message": "Hello, Alice!"}
    for heavy in ("boto3", "botocore", "google", "flask", "pulumi", "PIL", "croniter"):
        assert not any(name == heavy or name.startswith(heavy + ".") for name in modules), heavy
    for unneeded in (
        "portable.schedules",
        "portable.resources",
        "portable.data_rules",
        "providers.aws.s3_events",
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
    assert ours == CORE | TYPED
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
        "providers.aws.s3_events",
        "providers.aws.sqs",
        "providers.aws.schedule_events",
        "portable.schedules",
        "zoneinfo",
    ):
        assert unneeded not in modules, unneeded


# Every module loaded, the standard library's included.
EVERY_MODULE_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[2])
from providers.aws.runtime import handler
reply = handler(json.loads(sys.argv[1]), None)
print(json.dumps({"reply": reply, "modules": sorted(sys.modules)}))
"""


def test_an_auth_route_cold_start_loads_no_jwt_library() -> None:
    """The gateway verified the token; the deployed function only reads the claims."""
    event = json.loads((ROOT / "tests/fixtures/aws/apigw-v2/jwt-cognito-id-token-scopes-null.json").read_text())
    env = {
        "PATH": "/usr/bin:/bin",
        "PORTABLE_FUNCTION": "whoami",
        "PORTABLE_MODULE": "tests.apps.edge.guarded",
    }
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
