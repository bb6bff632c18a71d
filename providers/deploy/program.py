"""The Pulumi program behind `__main__.py`: pick the cloud from the stack, check, deploy, export.

Everything that can be wrong (the cloud, its settings, the declarations in `functions/`,
schedules or routes a cloud cannot express) is checked before the first resource is
registered, and reported as one message that names the fix.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Protocol

import pulumi

from portable.app import App, load_app
from portable.errors import ConfigurationError, PortableError
from providers.deploy.config import choose, config_command

CLOUDS = ("aws", "gcp")
PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
DEFAULT_PYTHON_VERSION = "3.12"


@dataclass(frozen=True)
class StackInfo:
    project: str
    stack: str
    cloud: str
    python_version: str


class Deployer(Protocol):
    def read_settings(self, info: StackInfo) -> Any: ...

    def plan(self, app: App, info: StackInfo, settings: Any) -> Any: ...

    def deploy(self, plan: Any) -> dict[str, Any]: ...


def stack_info() -> StackInfo:
    stack = pulumi.get_stack()
    configured = pulumi.Config("portable").get("cloud")
    cloud = configured or stack
    if cloud not in CLOUDS:
        what = f"portable:cloud is {configured!r}" if configured else f"stack {stack!r} does not say which cloud"
        raise ConfigurationError(
            f"{what}; Portable deploys to {' or '.join(CLOUDS)}: run "
            f"{config_command('portable:cloud', 'aws', stack)} (or gcp), or use the stacks aws and gcp"
        )
    python_version = choose("portable", "pythonVersion", PYTHON_VERSIONS, DEFAULT_PYTHON_VERSION)
    return StackInfo(pulumi.get_project(), stack, cloud, python_version)


def deployer_for(cloud: str) -> Deployer:
    module: Any = importlib.import_module(f"providers.{cloud}.deploy")
    return module  # type: ignore[no-any-return]


def main(package: str = "functions", search_path: str | None = None) -> dict[str, Any]:
    """Check everything, then register the stack's resources and export its outputs."""
    try:
        info = stack_info()
        deployer = deployer_for(info.cloud)
        settings = deployer.read_settings(info)
        app = load_app(package, search_path)
        plan = deployer.plan(app, info, settings)
    except PortableError as exc:
        raise pulumi.RunError(str(exc)) from None
    outputs = deployer.deploy(plan)
    for name, value in outputs.items():
        pulumi.export(name, value)
    return outputs
