"""The Pulumi program behind `__main__.py`: pick the cloud from the stack, check, deploy, export.

Everything that can be wrong (the cloud, its settings, the declarations in `functions/`,
schedules or routes a cloud cannot express) is checked before the first resource is
registered, and reported as one message that names the fix.
"""

from __future__ import annotations

import importlib

import pulumi

from portable.errors import ConfigurationError, PortableError
from providers.deploy.config import choose, config_command, flag
from providers.deploy.plan import CloudDeployer, Outputs, StackInfo

CLOUDS = ("aws", "gcp")
PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
DEFAULT_PYTHON_VERSION = "3.12"


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
    allow_data_deletion = flag("portable", "allowDataDeletion", False)
    return StackInfo(pulumi.get_project(), stack, cloud, python_version, allow_data_deletion)


def deployer_for(cloud: str) -> CloudDeployer:
    """The cloud's `DEPLOYER`, imported for the stack's cloud only, with that cloud's Pulumi provider."""
    deployer = importlib.import_module(f"providers.{cloud}.deploy.deployer").DEPLOYER
    if not isinstance(deployer, CloudDeployer):
        raise TypeError(f"providers.{cloud}.deploy.deployer.DEPLOYER is {deployer!r}, not a Deployer")
    return deployer


def main(package: str = "functions", search_path: str | None = None) -> Outputs:
    """Check everything, then register the stack's resources and export its outputs."""
    try:
        info = stack_info()
        register = deployer_for(info.cloud).prepare(info, package, search_path)
    except PortableError as exc:
        raise pulumi.RunError(str(exc)) from None
    outputs = register()
    for name, value in outputs.items():
        pulumi.export(name, value)
    return outputs
