"""What every cloud's resources carry alike: a function's environment and the stack's outputs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from portable.app import App, FunctionSpec, ResourceSpec, has_trigger
from portable.context import physical_name_variable
from portable.cors_policy import ENVIRONMENT_VARIABLE as CORS_VARIABLE
from portable.cors_policy import Cors, to_environment
from portable.http_trigger import HttpTrigger
from portable.openapi import openapi_document
from portable.settings import SETTINGS_VARIABLE
from providers.deploy.plan import Outputs, StackInfo


def function_environment(
    spec: FunctionSpec, physical_names: Mapping[ResourceSpec, pulumi.Input[str]], **extra: pulumi.Input[str]
) -> dict[str, pulumi.Input[str]]:
    """`extra`, the physical name of every resource the function uses (for a secret its name or ARN, never its value),
    and its settings with PORTABLE_SETTINGS listing their names. The function itself is named by its archive's
    entry module, which binds it at import (providers/deploy/entry_modules.py)."""
    variables: dict[str, pulumi.Input[str]] = {**extra}
    if spec.env:
        variables.update(spec.env)
        variables[SETTINGS_VARIABLE] = ",".join(name for name, _ in spec.env)
    for resource, name in sorted(physical_names.items(), key=lambda item: item[0].name):
        if resource.name in spec.uses:
            variables[physical_name_variable(resource)] = name
    return variables


def cors_environment(spec: FunctionSpec, cors: Cors | None) -> dict[str, str]:
    """PORTABLE_CORS, the App's effective CORS policy, for an HTTP function of an App that has one: the GCP shim
    answers preflights and adds the CORS headers by it, the AWS shim says its replies vary by Origin."""
    return {CORS_VARIABLE: to_environment(cors)} if cors is not None and has_trigger(spec, HttpTrigger) else {}


def data_options(info: StackInfo, opts: pulumi.ResourceOptions | None = None) -> pulumi.ResourceOptions:
    """`opts` for a resource that holds data: `pulumi destroy` leaves it in place unless the stack allows deletion."""
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(retain_on_delete=not info.allow_data_deletion))


def stack_outputs(
    api_url: pulumi.Input[str] | None,
    functions: dict[str, pulumi.Input[str]],
    buckets: dict[str, pulumi.Input[str]],
    tables: dict[str, pulumi.Input[str]],
    dead_letters: dict[str, pulumi.Input[str]],
    domain_target: pulumi.Input[str] | None = None,
    api_document: pulumi.Input[dict[str, Any]] | None = None,
) -> Outputs:
    """What every cloud exports: the API URL (when there are routes; the custom domain's when one is set) and its
    OpenAPI 3.1 document, physical names, where dead letters go, and where the custom domain's DNS record must
    point."""
    outputs: Outputs = {"functions": functions, "buckets": buckets, "tables": tables, "dead_letters": dead_letters}
    if api_url is not None:
        outputs["api_url"] = api_url
    if api_document is not None:
        outputs["api_document"] = api_document
    if domain_target is not None:
        outputs["domain_target"] = domain_target
    return outputs


def api_document(app: App) -> dict[str, Any]:
    """The App's OpenAPI 3.1 document, as the stack configures it (its issuers), titled after the project."""
    return openapi_document(app, pulumi.get_project())


def served_document(app: App, api_url: pulumi.Input[str] | None) -> pulumi.Output[dict[str, Any]] | None:
    """The document with the API's URL as its server, for the stack's `api_document` output; None without routes."""
    if api_url is None:
        return None
    return pulumi.Output.from_input(api_url).apply(
        lambda url: openapi_document(app, pulumi.get_project(), servers=[url])
    )
