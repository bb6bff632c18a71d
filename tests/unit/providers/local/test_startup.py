"""What the runner says at start (providers/local/startup.py): the banner, and a warning for each thing the App needs
that this machine lacks (a package, a secret's value), or declares and never uses, naming the one way to fix it."""

from __future__ import annotations

from pathlib import Path

import pytest

from portable.loading import load_app
from providers.local.startup import banner, missing_requirements, missing_secrets, unused_resources, warnings
from tests.support.packages import make_package


def test_the_start_up_banner_lists_the_dashboard_each_kind_of_trigger_then_buckets_and_tables() -> None:
    text = banner(load_app("functions"), "http://127.0.0.1:8080")
    assert text.splitlines() == [
        "Portable local: http://127.0.0.1:8080",
        "  dashboard: http://127.0.0.1:8080/__portable/ (this machine only)",
        "  routes:    POST /hello -> hello, GET /me -> me, POST /webhooks -> receive_webhook",
        "  objects:   uploads -> make_thumbnail",
        "  schedules: nightly_report (cron '0 2 * * *' in UTC)",
        "  messages:  welcomes (queue) -> write_welcome, greeted (topic) -> count_greeting, queue_welcome",
        "  changes:   none",
        "  buckets:   reports, thumbnails, uploads",
        "  tables:    greetings, name-counts, portable-idempotency, welcome-notes",
    ]


def test_the_banner_says_when_the_dashboard_is_off_or_needs_the_printed_token() -> None:
    from providers.local.access import ControlAccess

    app = load_app("functions")
    off = banner(app, "http://127.0.0.1:8080", access=ControlAccess.for_host("0.0.0.0", expose=False))
    assert off.splitlines()[1].startswith("  dashboard: off, since the runner listens beyond this machine")
    exposed = ControlAccess.for_host("0.0.0.0", expose=True)
    assert exposed.token and len(exposed.token) >= 32
    assert banner(app, "http://127.0.0.1:8080", access=exposed).splitlines()[1] == (
        f"  dashboard: http://127.0.0.1:8080/__portable/?token={exposed.token} (open it once in a browser); the "
        f"control endpoints answer any caller sending: Authorization: Bearer {exposed.token}"
    )


def test_the_banner_says_when_retries_are_fast() -> None:
    last = banner(load_app("functions"), "http://127.0.0.1:8080", fast_retries=True).splitlines()[-1]
    assert last.startswith("  retries:   fast (--fast-retries): 1 s before the second attempt, doubling")


def test_start_up_warns_about_each_requires_package_not_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = make_package(
        tmp_path,
        work="""\
        from portable import http


        @http("GET /work", requires=["Pillow>=10", "surely-not-installed-pkg>=1.2"])
        def work(request):
            return {}
        """,
    )
    [warning] = missing_requirements(load_app(package))
    assert warning.startswith("warning: function 'work' (")
    assert "/work.py:4) requires 'surely-not-installed-pkg>=1.2', which is not installed here" in warning
    assert warning.endswith(
        "add 'surely-not-installed-pkg>=1.2' to requirements-dev.txt and run `./dev lock`, which pins it in "
        "requirements.lock (the next `./dev serve` or `./dev test` installs it)"
    ), "the advice the deploy gives too"


SECRETS = """\
from portable import http, secret

receipt_key = secret("receipt_key")
stripe_key = secret("stripe_key")
spare_key = secret("spare_key")


@http("POST /pay", reads=[receipt_key, stripe_key])
def pay(request):
    return {}
"""


def test_start_up_warns_about_each_secret_without_a_local_value_naming_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = make_package(tmp_path, pay=SECRETS)
    state = tmp_path / "state"
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(state))
    monkeypatch.setenv("PORTABLE_SECRET_VALUE_STRIPE_KEY", "sk_test")
    app = load_app(package)
    [warning] = missing_secrets(app)
    assert warning.startswith("warning: secret 'receipt_key' (read by pay) has no local value, so reading it fails")
    assert f"write the value to {state / 'secrets' / 'receipt_key'}" in warning
    assert warning.endswith("or set PORTABLE_SECRET_VALUE_RECEIPT_KEY in the environment of `portable dev`")
    (state / "secrets").mkdir(parents=True)
    (state / "secrets" / "receipt_key").write_text("rk")
    assert missing_secrets(app) == []


def test_start_up_warns_about_a_resource_that_no_function_uses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))
    app = load_app(make_package(tmp_path, pay=SECRETS))
    assert app.secrets == ["receipt_key", "stripe_key"]
    [warning] = unused_resources(app)
    assert warning.startswith("warning: secret 'spare_key' is declared at ")
    assert "/pay.py:5 but no function uses it, so it is not deployed; add it to reads= or writes=" in warning
    assert warning in warnings(app)
