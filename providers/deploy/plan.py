"""What a cloud's deploy half provides, and the plan it makes before it registers a resource."""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any, Generic, TypeVar

import pulumi

from portable.app import App
from portable.errors import AppDefinitionError
from portable.loading import load_app
from portable.schedule_trigger import ScheduleTrigger
from portable.schedules import Schedule
from portable.triggers import KINDS, deploy_name
from providers.deploy.secret_values import check_secret_values
from providers.deploy.stack_settings import with_stack_settings

SettingsT = TypeVar("SettingsT")
Outputs = dict[str, object]


@dataclass(frozen=True)
class StackInfo:
    """The stack's settings that every cloud reads; `allow_data_deletion` lets `pulumi destroy` delete data."""

    project: str
    stack: str
    cloud: str
    python_version: str
    allow_data_deletion: bool


@dataclass(frozen=True)
class Plan(Generic[SettingsT]):
    """Everything checked and every archive built: what `deploy` turns into resources. `triggers` holds what each
    kind's deploy module planned (its `plan`'s result, e.g. the compiled schedules), by kind."""

    app: App
    info: StackInfo
    settings: SettingsT
    archives: dict[str, Path]
    triggers: dict[str, Any]


@dataclass
class Deployment(Generic[SettingsT]):
    """What a cloud's deploy builds up while it registers a stack, from its plan: each cloud's subclass holds its
    resources, and every kind's deploy module reads and adds to it."""

    plan: Plan[SettingsT]

    @property
    def app(self) -> App:
        return self.plan.app

    @property
    def info(self) -> StackInfo:
        return self.plan.info

    @property
    def settings(self) -> SettingsT:
        return self.plan.settings


def kind_deployers(cloud: str) -> dict[str, ModuleType]:
    """Each kind's deploy module for `cloud` (`providers/<cloud>/deploy/<kind>_triggers.py`), by kind."""
    return {kind: importlib.import_module(deploy_name(cloud, kind)) for kind in KINDS}


def plan_triggers(cloud: str, app: App, settings: object) -> dict[str, Any]:
    """What each kind's deploy module checks and plans for `cloud`: its refusals come before any resource."""
    return {kind: module.plan(app, settings) for kind, module in kind_deployers(cloud).items()}


class CloudDeployer(ABC):
    """A Deployer as the program holds it: the cloud is a stack setting, so only the cloud knows its settings' type."""

    @abstractmethod
    def prepare(self, info: StackInfo, package: str, search_path: str | None) -> Callable[[], Outputs]:
        """Check everything and build every archive; the step returned registers the resources."""


class Deployer(CloudDeployer, Generic[SettingsT]):
    """One cloud's deploy half: `DEPLOYER` in providers/<cloud>/deploy/deployer.py."""

    @abstractmethod
    def read_settings(self, info: StackInfo) -> SettingsT:
        """The cloud's settings from the stack's config; a missing or wrong one is a ConfigurationError."""

    @abstractmethod
    def plan(self, app: App, info: StackInfo, settings: SettingsT) -> Plan[SettingsT]:
        """Every check the cloud needs and every archive; registers nothing."""

    @abstractmethod
    def deploy(self, plan: Plan[SettingsT]) -> Outputs:
        """Register the plan's resources; returns the stack's outputs."""

    def prepare(self, info: StackInfo, package: str, search_path: str | None) -> Callable[[], Outputs]:
        settings = self.read_settings(info)
        app = with_stack_settings(load_app(package, search_path), info.stack)
        for warning in app.unused_warnings():
            pulumi.log.warn(warning)
        check_secret_values(app, info.stack)
        plan = self.plan(app, info, settings)
        return partial(self.deploy, plan)


def compile_schedules(
    app: App, compiler: Callable[[Schedule], tuple[str, str]], service: str
) -> dict[str, tuple[str, str]]:
    """Every schedule's (expression, time zone) for `service`; one it cannot express stops the deploy."""
    compiled: dict[str, tuple[str, str]] = {}
    for spec in app.functions_of(ScheduleTrigger):
        trigger = spec.trigger
        try:
            compiled[spec.name] = compiler(trigger.schedule)
        except ValueError as exc:
            raise AppDefinitionError(
                f"{spec.where}: the schedule of {spec.name!r} ({trigger.schedule.describe()}) cannot run on "
                f"{service}: {exc}"
            ) from None
    return compiled
