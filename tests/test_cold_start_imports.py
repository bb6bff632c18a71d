"""What a cold start loads: the shims stay standard-library only and load only what the event needs."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import json, sys
sys.path.insert(0, sys.argv[2])
from providers.aws.runtime import handler
reply = handler(json.loads(sys.argv[1]), None)
print(json.dumps({"reply": reply, "modules": sorted(sys.modules)}))
"""
EVENT = {
    "version": "2.0", "rawPath": "/hello", "rawQueryString": "", "headers": {"content-type": "application/json"},
    "requestContext": {"http": {"method": "POST", "path": "/hello"}, "requestId": "r", "stage": "$default"},
    "body": '{"name": "Cold"}', "isBase64Encoded": False,
}


SCHEDULED = {
    "version": "0", "id": "d167b752", "detail-type": "Scheduled Event", "source": "aws.scheduler",
    "account": "533568316194", "time": "2026-11-28T02:30:00Z", "region": "us-east-1", "resources": [], "detail": "{}",
}


def loaded_modules(function: str, module: str, event: object = EVENT) -> tuple[dict[str, object], set[str]]:
    env = {"PATH": "/usr/bin:/bin", "PORTABLE_FUNCTION": function, "PORTABLE_MODULE": module}
    # -S: no site-packages, as in a Lambda archive that ships no third-party package.
    done = subprocess.run([sys.executable, "-S", "-E", "-c", PROBE, json.dumps(event), str(ROOT)], env=env,
                          capture_output=True, text=True, check=True, timeout=60)
    result = json.loads(done.stdout)
    return result["reply"], set(result["modules"])


def test_an_http_cold_start_loads_no_sdk_and_nothing_it_does_not_need() -> None:
    reply, modules = loaded_modules("greet", "bench.app.greet")
    assert json.loads(reply["body"]) == {"message": "Hello, Cold!"}
    for heavy in ("boto3", "botocore", "google", "flask", "pulumi", "PIL", "croniter"):
        assert not any(name == heavy or name.startswith(heavy + ".") for name in modules), heavy
    for unneeded in ("portable.schedules", "portable.resources", "portable.data_rules", "providers.aws.s3_events",
                     "dataclasses", "inspect", "uuid", "urllib.parse", "base64", "traceback", "zoneinfo"):
        assert unneeded not in modules, unneeded


def test_a_scheduled_cold_start_needs_neither_the_grammar_nor_zone_data() -> None:
    """The deploy checked the schedule; the function only needs its name and the firing's time."""
    reply, modules = loaded_modules("tick", "bench.app.tick", SCHEDULED)
    assert reply == {"status": 200, "delivered": 1}
    for unneeded in ("portable.schedules", "portable.timezones", "zoneinfo", "dataclasses", "croniter"):
        assert unneeded not in modules, unneeded


def test_names_exported_by_portable_stay_callable_after_submodules_load() -> None:
    import portable
    import portable.decorators  # noqa: F401 (loading the submodules is the point)
    import portable.request  # noqa: F401
    import portable.schedules  # noqa: F401
    from portable import Request, http, schedule

    assert callable(http) and callable(schedule) and isinstance(Request, type)
    assert set(portable.__all__) == set(portable._HOMES)
    for name in portable.__all__:
        assert getattr(portable, name) is not None


def test_a_message_cold_start_loads_no_sdk_and_only_the_sqs_format() -> None:
    event = json.loads((ROOT / "tests/fixtures/aws/sqs/batch-two-records-message-attribute.json").read_text())
    reply, modules = loaded_modules("read_letter", "tests.conformance.app.mail", event)
    assert reply == {"batchItemFailures": []}
    for heavy in ("boto3", "botocore", "google", "flask", "pulumi"):
        assert not any(name == heavy or name.startswith(heavy + ".") for name in modules), heavy
    for unneeded in ("providers.aws.s3_events", "providers.aws.sqs", "providers.aws.schedule_events",
                     "portable.schedules", "zoneinfo"):
        assert unneeded not in modules, unneeded
