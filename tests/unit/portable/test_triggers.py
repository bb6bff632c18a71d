"""The registry of trigger kinds: every kind has its module, a codec on every target and a deploy module on every
cloud, each with the names the code that serves every kind calls."""

from __future__ import annotations

import importlib

import pytest

from portable.triggers import CLOUDS, KINDS, TARGETS, codec_name, deploy_name, trigger_module

# What the shims, the local runner, the test kit, `portable invoke` and the deployers call, by where it lives.
KIND_MODULE = {"check_app", "deliver", "sample"}
EVENT_KIND_MODULE = {"policy", "retries_ended", "receivers", "with_attempt", "to_record", "from_record"}
CODEC = {
    "aws": {"recognises", "decode", "encode_reply", "succeeded", "encode", "sample"},
    "gcp": {"COUNTS_ATTEMPTS", "decode", "encode", "sample"},
    "local": {"KIND", "LABEL", "encode", "decode", "subject", "outboxes", "describe", "sample", "dashboard"},
}
DEPLOY = {
    "aws": {"plan", "declare", "prepare", "connect"},
    "gcp": {"SERVICES", "plan", "prepare", "wire", "connect", "finish"},
}


def missing(kinds: tuple[str, ...] = KINDS) -> list[str]:
    """What each kind lacks: a module, or a name in one."""
    found: list[str] = []

    def look(module_name: str, names: set[str]) -> None:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            found.append(f"no module {module_name}")
            return
        found.extend(f"{module_name} has no {name}" for name in sorted(names) if not hasattr(module, name))

    for kind in kinds:
        look(f"portable.{kind}_trigger", KIND_MODULE | (EVENT_KIND_MODULE if kind != "http" else set()))
        for target in TARGETS:
            look(codec_name(target, kind), CODEC[target])
        for cloud in CLOUDS:
            look(deploy_name(cloud, kind), DEPLOY[cloud])
    return found


def test_every_kind_has_its_module_a_codec_per_target_and_a_deploy_module_per_cloud() -> None:
    assert missing() == []


def test_a_kind_without_its_codecs_or_deploy_modules_is_named() -> None:
    assert missing(("nosuch",)) == [
        "no module portable.nosuch_trigger",
        "no module providers.aws.nosuch_codec",
        "no module providers.gcp.nosuch_codec",
        "no module providers.local.nosuch_codec",
        "no module providers.aws.deploy.nosuch_triggers",
        "no module providers.gcp.deploy.nosuch_triggers",
    ]


def test_each_kind_is_named_after_its_trigger_class() -> None:
    from portable.app import kind_of

    for kind in KINDS:
        module = trigger_module(kind)
        (trigger,) = [value for name, value in vars(module).items() if name.endswith("Trigger") and name[0].isupper()]
        assert kind_of(trigger.__new__(trigger, *([None] * len(trigger._fields)))) == kind


def test_an_unknown_kind_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="no trigger kind 'foo': the kinds are http, object, schedule"):
        trigger_module("foo")


SERVING_EVERY_KIND = [
    "providers/aws/runtime.py",
    "providers/gcp/runtime.py",
    "providers/testing/targets.py",
    "providers/local/deliverer.py",
    "providers/local/events.py",
    "providers/local/console.py",
    "providers/cli/invoke.py",
    "providers/aws/deploy/deployer.py",
    "providers/gcp/deploy/deployer.py",
    "providers/gcp/deploy/services.py",
]


@pytest.mark.parametrize("path", SERVING_EVERY_KIND)
def test_code_that_serves_every_kind_names_no_trigger_class(path: str) -> None:
    """The shims, the local runner's delivery, the test kit's targets, `portable invoke` and the deployers find a
    kind's code through the registry, never by its trigger's class."""
    from tests.conftest import ROOT

    source = (ROOT / path).read_text()
    for name in ("HttpTrigger", "ObjectTrigger", "ScheduleTrigger", "MessageTrigger", "ChangeTrigger"):
        assert name not in source, (path, name)
