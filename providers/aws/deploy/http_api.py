"""HTTP routes as one API Gateway HTTP API: payload 2.0 proxy integrations, one route per handler."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from portable.app import HttpFunction
from portable.routes import Route
from providers.aws.deploy.domain import map_domain
from providers.aws.deploy.settings import AwsSettings


def source_arn_suffix(route: Route) -> str:
    """The part of an execute-api ARN after the API: any stage, this method, this path."""
    method = "*" if route.method == "ANY" else route.method
    segments = ["*" if segment.is_param else segment.text for segment in route.segments]
    return f"/*/{method}/{'/'.join(segments)}"


def create_http_api(
    specs: list[HttpFunction], functions: dict[str, aws.lambda_.Function], settings: AwsSettings
) -> tuple[pulumi.Output[str], pulumi.Output[str] | None]:
    """The API, its auto-deployed `$default` stage with throttling, and every route; returns the URL, and with
    portable:domain the host name the domain's DNS must point at.

    The stage comes after every route and invoke permission, so no route is live before its function may run.
    """
    api = aws.apigatewayv2.Api("http-api", protocol_type="HTTP", name=f"{pulumi.get_project()}-{pulumi.get_stack()}")
    before_stage: list[pulumi.Resource] = []
    for spec in specs:
        trigger = spec.trigger
        function = functions[spec.name]
        integration = aws.apigatewayv2.Integration(
            f"{spec.name}-integration", api_id=api.id, integration_type="AWS_PROXY",
            integration_uri=function.invoke_arn, integration_method="POST", payload_format_version="2.0",
            timeout_milliseconds=min(spec.timeout_seconds * 1000, 30000),
        )
        before_stage.append(aws.apigatewayv2.Route(
            f"{spec.name}-route", api_id=api.id, route_key=trigger.route.key,
            target=integration.id.apply(lambda integration_id: f"integrations/{integration_id}"),
        ))
        before_stage.append(aws.lambda_.Permission(
            f"{spec.name}-api-invoke", action="lambda:InvokeFunction", function=function.name,
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(api.execution_arn, source_arn_suffix(trigger.route)),
        ))
    stage = aws.apigatewayv2.Stage(
        "http-api-stage", api_id=api.id, name="$default", auto_deploy=True,
        default_route_settings={
            "throttling_rate_limit": settings.http_rate_limit,
            "throttling_burst_limit": settings.http_burst_limit,
        },
        opts=pulumi.ResourceOptions(depends_on=before_stage),
    )
    if settings.domain:
        return map_domain(api, stage, settings.domain)
    return api.api_endpoint, None
