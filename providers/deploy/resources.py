"""What every cloud's resources carry alike: a function's environment and the stack's outputs."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from portable.app import FunctionSpec, ResourceSpec
from portable.context import physical_name_variable
from providers.deploy.plan import Outputs, StackInfo


def function_environment(
    spec: FunctionSpec, physical_names: Mapping[ResourceSpec, pulumi.Input[str]], **extra: pulumi.Input[str]
) -> dict[str, pulumi.Input[str]]:
    """PORTABLE_FUNCTION, PORTABLE_MODULE, `extra`, and the physical name of every resource the function uses."""
    variables: dict[str, pulumi.Input[str]] = {"PORTABLE_FUNCTION": spec.name, "PORTABLE_MODULE": spec.module, **extra}
    for resource, name in sorted(physical_names.items(), key=lambda item: item[0].name):
        if resource.name in spec.uses:
            variables[physical_name_variable(resource)] = name
    return variables


def data_options(info: StackInfo, opts: pulumi.ResourceOptions | None = None) -> pulumi.ResourceOptions:
    """`opts` for a resource that holds data: `pulumi destroy` leaves it in place unless the stack allows deletion."""
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(retain_on_delete=not info.allow_data_deletion))


def stack_outputs(
    api_url: pulumi.Input[str] | None,
    functions: dict[str, pulumi.Input[str]],
    buckets: dict[str, pulumi.Input[str]],
    tables: dict[str, pulumi.Input[str]],
    dead_letters: dict[str, pulumi.Input[str]],
) -> Outputs:
    """What every cloud exports: the API URL (when there are routes), physical names, where dead letters go."""
    outputs: Outputs = {"functions": functions, "buckets": buckets, "tables": tables, "dead_letters": dead_letters}
    if api_url is not None:
        outputs["api_url"] = api_url
    return outputs
