"""The `http` kind on AWS: one API Gateway HTTP API, payload 2.0 proxy integrations, one route per handler.

The App's CORS policy is the API's `corsConfiguration` (the gateway answers preflights and adds the
headers); each `jwt_auth` a route requires is one JWT authorizer, on exactly those routes.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from portable.app import App
from portable.auth import JwtAuth
from portable.cors_policy import Cors
from portable.http_trigger import HttpFunction, functions
from portable.routes import Route
from providers.aws.deploy.deployment import AwsDeployment
from providers.aws.deploy.domain import map_domain
from providers.aws.deploy.settings import AwsSettings


def source_arn_suffix(route: Route) -> str:
    """The part of an execute-api ARN after the API: any stage, this method, this path."""
    method = "*" if route.method == "ANY" else route.method
    segments = ["*" if segment.is_param else segment.text for segment in route.segments]
    return f"/*/{method}/{'/'.join(segments)}"


def cors_configuration(cors: Cors) -> aws.apigatewayv2.ApiCorsConfigurationArgs:
    return aws.apigatewayv2.ApiCorsConfigurationArgs(
        allow_origins=list(cors.allow_origins),
        allow_methods=list(cors.allow_methods),
        allow_headers=list(cors.allow_headers),
        expose_headers=list(cors.expose_headers),
        max_age=cors.max_age,
        allow_credentials=cors.allow_credentials,
    )


def create_authorizer(api: aws.apigatewayv2.Api, auth: JwtAuth) -> aws.apigatewayv2.Authorizer:
    """A JWT authorizer: API Gateway finds the keys through the issuer's OpenID discovery document."""
    return aws.apigatewayv2.Authorizer(
        f"{auth.name}-authorizer",
        api_id=api.id,
        name=auth.name,
        authorizer_type="JWT",
        identity_sources=["$request.header.Authorization"],
        jwt_configuration=aws.apigatewayv2.AuthorizerJwtConfigurationArgs(
            issuer=auth.issuer,
            audiences=list(auth.audiences),
        ),
    )


def create_http_api(
    specs: list[HttpFunction],
    lambdas: dict[str, aws.lambda_.Function],
    settings: AwsSettings,
    cors: Cors | None = None,
) -> tuple[pulumi.Output[str], pulumi.Output[str] | None]:
    """The API, its auto-deployed `$default` stage with throttling, and every route; returns the URL, and with
    portable:domain the host name the domain's DNS must point at.

    The stage comes after every route and invoke permission, so no route is live before its function may run.
    """
    api = aws.apigatewayv2.Api(
        "http-api",
        protocol_type="HTTP",
        name=f"{pulumi.get_project()}-{pulumi.get_stack()}",
        cors_configuration=cors_configuration(cors) if cors is not None else None,
    )
    authorizers: dict[str, aws.apigatewayv2.Authorizer] = {}
    for auth in {spec.trigger.auth.name: spec.trigger.auth for spec in specs if spec.trigger.auth}.values():
        authorizers[auth.name] = create_authorizer(api, auth)
    before_stage: list[pulumi.Resource] = []
    for spec in specs:
        trigger = spec.trigger
        function = lambdas[spec.name]
        integration = aws.apigatewayv2.Integration(
            f"{spec.name}-integration",
            api_id=api.id,
            integration_type="AWS_PROXY",
            integration_uri=function.invoke_arn,
            integration_method="POST",
            payload_format_version="2.0",
            timeout_milliseconds=min(spec.timeout_seconds * 1000, 30000),
        )
        authorizer = authorizers[trigger.auth.name] if trigger.auth else None
        before_stage.append(
            aws.apigatewayv2.Route(
                f"{spec.name}-route",
                api_id=api.id,
                route_key=trigger.route.key,
                target=integration.id.apply(lambda integration_id: f"integrations/{integration_id}"),
                authorization_type="JWT" if authorizer else "NONE",
                authorizer_id=authorizer.id if authorizer else None,
            )
        )
        before_stage.append(
            aws.lambda_.Permission(
                f"{spec.name}-api-invoke",
                action="lambda:InvokeFunction",
                function=function.name,
                principal="apigateway.amazonaws.com",
                source_arn=pulumi.Output.concat(api.execution_arn, source_arn_suffix(trigger.route)),
            )
        )
    stage = aws.apigatewayv2.Stage(
        "http-api-stage",
        api_id=api.id,
        name="$default",
        auto_deploy=True,
        default_route_settings={
            "throttling_rate_limit": settings.http_rate_limit,
            "throttling_burst_limit": settings.http_burst_limit,
        },
        opts=pulumi.ResourceOptions(depends_on=before_stage),
    )
    if settings.domain:
        return map_domain(api, stage, settings.domain)
    return api.api_endpoint, None


# A route's function is granted nothing for its trigger: API Gateway's permission to invoke it is the function's.
OWN_GRANTS: tuple[tuple[str, tuple[str, ...], str], ...] = ()


def plan(app: App, settings: AwsSettings) -> None:
    """Every route API Gateway takes: the checks are the App's (portable.http_trigger.check_app)."""


def declare(deployment: AwsDeployment) -> None:
    """Routes ask nothing of the data resources."""


def prepare(deployment: AwsDeployment) -> None:
    """A route's function needs no grant for its trigger: API Gateway's permission is the function's."""


def connect(deployment: AwsDeployment) -> None:
    """The API in front of every HTTP function, once they exist."""
    specs = functions(deployment.app)
    if specs:
        deployment.api_url, deployment.domain_target = create_http_api(
            specs, deployment.functions, deployment.settings, deployment.app.cors
        )
