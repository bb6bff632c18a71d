"""Plain settings: declared with env= and app_env, checked where declared, read with portable.setting."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from portable import AppDefinitionError, ConfigurationError, http, load_app, setting
from portable.app import FunctionSpec
from portable.context import Invocation, current_invocation
from portable.context import setting as context_setting
from portable.http_trigger import HttpTrigger
from portable.routes import parse_route
from tests.support.packages import make_package

HTTP = HttpTrigger(parse_route("POST /pay"))


def running(env: dict[str, str]) -> AbstractContextManager[None]:
    spec = FunctionSpec("pay", "tests.fake", "functions/pay.py", HTTP, env=tuple(sorted(env.items())), line=7)
    return context_setting(current_invocation, Invocation(spec, None))


def test_a_declared_setting_reads_its_value_and_the_environment_overrides_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CURRENCY", raising=False)
    with running({"CURRENCY": "EUR"}):
        assert setting("CURRENCY") == "EUR"
        monkeypatch.setenv("CURRENCY", "USD")
        assert setting("CURRENCY") == "USD"
        monkeypatch.setenv("CURRENCY", "")
        assert setting("CURRENCY") == "", "an empty value is a value"


def test_an_undeclared_setting_names_the_declaration_to_add(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME_CURRENCY", "from the shell")
    with running({}), pytest.raises(ConfigurationError) as caught:
        setting("HOME_CURRENCY")
    assert "add env={'HOME_CURRENCY': '...'} to the decorator of 'pay' at functions/pay.py:7" in str(caught.value)
    with running({}):
        assert setting("HOME_CURRENCY", "EUR") == "EUR", "the process environment is not a setting"


def test_a_mistyped_setting_suggests_the_declared_one() -> None:
    with running({"MAX_AGE_DAYS": "30", "REGION": "eu"}), pytest.raises(ConfigurationError) as caught:
        setting("MAX_AGE_DAY")
    assert str(caught.value).startswith("setting 'MAX_AGE_DAY' is not declared; did you mean 'MAX_AGE_DAYS'?; add env=")
    with running({"MAX_AGE_DAYS": "30"}), pytest.raises(ConfigurationError) as far:
        setting("COLOUR")
    assert "did you mean" not in str(far.value), "nothing alike: nothing suggested"


def test_a_deployed_function_reads_the_settings_the_deploy_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a cold start only the function's module loads; the deploy names every setting it gets."""
    monkeypatch.setenv("PORTABLE_SETTINGS", "GREETING,LOG_LEVEL")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    with running({}):
        assert setting("LOG_LEVEL") == "debug"


def test_app_settings_load_with_the_app_and_reach_every_function(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        api="""
        from portable import app_env, http, setting
        app_env({"GREETING": "Hello", "LOG_LEVEL": "info"})

        @http("GET /hi", env={"GREETING": "Hi"})
        def hi(request):
            return setting("GREETING") + " " + setting("LOG_LEVEL")
    """,
    )
    app = load_app(package)
    assert app.env == {"GREETING": "Hello", "LOG_LEVEL": "info"}
    assert app.function("hi").env == (("GREETING", "Hi"),)


def test_one_app_setting_with_two_values_is_refused(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        a="from portable import app_env\napp_env({'REGION_NAME': 'eu'})\n",
        b="from portable import app_env\napp_env({'REGION_NAME': 'us'})\n",
    )
    with pytest.raises(
        AppDefinitionError, match=r"app setting 'REGION_NAME' is declared as 'eu' at .*a\.py:2 and as 'us' at .*b\.py:2"
    ):
        load_app(package)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"env": ["GREETING"]}, r"env= takes a dict of names to strings"),
        ({"env": {"1ST": "x"}}, r"setting name '1ST' is not valid"),
        ({"env": {"AWS_REGION": "x"}}, r"setting name 'AWS_REGION' is reserved"),
        ({"env": {"PORTABLE_FUNCTION": "x"}}, r"setting name 'PORTABLE_FUNCTION' is reserved"),
        ({"env": {"K_SERVICE": "x"}}, r"setting name 'K_SERVICE' is reserved"),
        ({"env": {"RETRIES": 3}}, r"setting 'RETRIES' is 3 \(int\); settings are strings, e\.g\. 'RETRIES': '3'"),
        ({"env": {"BIG": "x" * 3100}}, r"the settings take 3103 bytes, names and values together; the limit is 3072"),
        ({"memory_mb": 64}, r"memory_mb is 64; it must be a whole number of MB from 128 to 10240"),
        ({"memory_mb": 20480}, r"memory_mb is 20480"),
        ({"memory_mb": "512"}, r"memory_mb is '512'"),
        ({"timeout_seconds": 0}, r"timeout_seconds is 0; it must be a whole number of seconds from 1 to 540"),
        ({"timeout_seconds": 900}, r"timeout_seconds is 900"),
        ({"timeout_seconds": True}, r"timeout_seconds is True"),
    ],
)
def test_bad_options_are_refused_where_declared(options: dict[str, object], message: str) -> None:
    def pay(request: object) -> None:
        return None

    with pytest.raises(AppDefinitionError, match=message) as caught:
        http("POST /pay", **options)(pay)  # type: ignore[arg-type]
    assert "test_settings.py" in str(caught.value)
