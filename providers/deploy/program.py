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


def config_command(key: str, example: str, stack: str) -> str:
    return f"`pulumi config set {key} {example} --stack {stack}`"


def require(namespace: str, key: str, example: str, why: str) -> str:
    """A required setting, or a ConfigurationError naming the `pulumi config set` command."""
    value = pulumi.Config(namespace).get(key)
    if not value:
        stack = pulumi.get_stack()
        command = config_command(f"{namespace}:{key}", example, stack)
        raise ConfigurationError(f"stack {stack!r} has no {namespace}:{key} ({why}); run {command}")
    return value


def choose(namespace: str, key: str, allowed: tuple[str, ...], default: str) -> str:
    """An optional setting restricted to `allowed`."""
    value = pulumi.Config(namespace).get(key) or default
    if value not in allowed:
        stack = pulumi.get_stack()
        raise ConfigurationError(
            f"{namespace}:{key} is {value!r}; use one of {', '.join(allowed)}, e.g. "
            f"{config_command(f'{namespace}:{key}', allowed[0], stack)}"
        )
    return value


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


def positive_int(namespace: str, key: str, default: int) -> int:
    """An optional whole-number setting greater than zero."""
    text = pulumi.Config(namespace).get(key)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise ConfigurationError(
            f"{namespace}:{key} is {text!r}; it must be a whole number above zero, e.g. "
            f"{config_command(f'{namespace}:{key}', str(default), pulumi.get_stack())}"
        )
    return value


def stack_outputs(
    api_url: pulumi.Input[str] | None,
    functions: dict[str, pulumi.Input[str]],
    buckets: dict[str, pulumi.Input[str]],
    tables: dict[str, pulumi.Input[str]],
) -> dict[str, Any]:
    """The outputs every cloud exports: the API URL (when there are routes) and every physical name."""
    outputs: dict[str, Any] = {"functions": functions, "buckets": buckets, "tables": tables}
    if api_url is not None:
        outputs["api_url"] = api_url
    return outputs
