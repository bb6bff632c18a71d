"""The `http` kind on GCP: routes behind one API Gateway; only the gateway's service account may call the functions."""

from __future__ import annotations

import base64
import json
from typing import Any

import pulumi
import pulumi_gcp as gcp

from portable.app import App
from portable.cors_policy import Cors
from portable.http_trigger import HttpFunction, functions
from portable.limits import API_CONFIG_ID_MAX_CHARS, API_CONFIG_ID_SUFFIX_CHARS
from providers.deploy.resources import api_document
from providers.gcp.deploy.deployment import GcpDeployment, Wiring
from providers.gcp.deploy.domain import serve_domain
from providers.gcp.deploy.functions import allow_invoker
from providers.gcp.deploy.iam import service_account
from providers.gcp.deploy.names import resource_id
from providers.gcp.deploy.openapi import Backend, openapi_document
from providers.gcp.deploy.settings import GcpSettings


def _encoded_document(title: str, specs: list[HttpFunction], urls: list[str], cors: bool, api: dict[str, Any]) -> str:
    backends = [
        Backend(spec.name, spec.trigger.route, url, spec.timeout_seconds, spec.trigger.auth)
        for spec, url in zip(specs, urls, strict=True)
    ]
    text = json.dumps(openapi_document(title, backends, cors, api), indent=2, sort_keys=True)
    return base64.b64encode(text.encode()).decode()


def api_config_prefix(project: str, stack: str) -> str:
    """The prefix of the API config's id, short enough that the 26 characters the provider appends keep the id
    within the 63 API Gateway allows (a long `<project>-<stack>` is cut, and a hash keeps it unique)."""
    room = API_CONFIG_ID_MAX_CHARS - API_CONFIG_ID_SUFFIX_CHARS - 1
    return f"{resource_id(f'{project}-{stack}', room)}-"


def create_http_api(
    specs: list[HttpFunction],
    deployed: dict[str, gcp.cloudfunctionsv2.Function],
    settings: GcpSettings,
    opts: pulumi.ResourceOptions,
    cors: Cors | None = None,
    described: dict[str, Any] | None = None,
) -> tuple[pulumi.Output[str], pulumi.Output[str] | None]:
    """The API, its config (OpenAPI from the routes, with the schemas of `described`, the App's OpenAPI 3.1
    document),
    the gateway; returns the gateway's URL, and with portable:domain the domain's URL and the IP address its DNS
    must point at.

    The config waits for the gateway account's grants, so the gateway never serves a route it may not call.
    """
    stack = pulumi.get_stack()
    api_id = resource_id(f"{pulumi.get_project()}-{stack}", 63)
    gateway_account = service_account("http", "gateway", settings.project, stack, opts)
    invokers = [
        allow_invoker(f"{spec.name}-gateway-invoker", deployed[spec.name], gateway_account.member, settings)
        for spec in specs
    ]
    api = gcp.apigateway.Api("http-api", project=settings.project, api_id=api_id, opts=opts)
    managed = gcp.projects.Service(
        "api-managed-service", project=settings.project, service=api.managed_service, disable_on_destroy=False
    )
    document = pulumi.Output.all(*(deployed[spec.name].url for spec in specs)).apply(
        lambda urls: _encoded_document(api_id, specs, list(urls), cors is not None, described or {})
    )
    config = gcp.apigateway.ApiConfig(
        "http-api-config",
        project=settings.project,
        api=api.api_id,
        api_config_id_prefix=api_config_prefix(pulumi.get_project(), stack),
        openapi_documents=[{"document": {"path": "openapi.yaml", "contents": document}}],
        gateway_config={"backend_config": {"google_service_account": gateway_account.email}},
        opts=pulumi.ResourceOptions(depends_on=[managed, *invokers]),
    )
    gateway = gcp.apigateway.Gateway(
        "http-gateway",
        project=settings.project,
        region=settings.region,
        api_config=config.id,
        gateway_id=api_id,
    )
    if settings.domain:
        return serve_domain(gateway, settings.domain, settings, opts)
    return gateway.default_hostname.apply(lambda host: f"https://{host}"), None


SERVICES = ("apigateway.googleapis.com", "servicemanagement.googleapis.com", "servicecontrol.googleapis.com")


def plan(app: App, settings: GcpSettings) -> None:
    """Every route the gateway takes: the checks are the App's (portable.http_trigger.check_app)."""


def prepare(deployment: GcpDeployment) -> None:
    """Routes share nothing before their functions exist."""


def wire(deployment: GcpDeployment, spec: HttpFunction) -> Wiring:
    """The gateway's own account calls an HTTP function (`finish`)."""
    return Wiring()


def connect(deployment: GcpDeployment, spec: HttpFunction, wiring: Wiring, invoker_grant: pulumi.Resource) -> None:
    """Each route is served once every function exists (`finish`)."""


def finish(deployment: GcpDeployment) -> None:
    """The gateway in front of every HTTP function."""
    specs = functions(deployment.app)
    if specs:
        deployment.api_url, deployment.domain_target = create_http_api(
            specs,
            deployment.functions,
            deployment.settings,
            deployment.after_services,
            deployment.app.cors,
            api_document(deployment.app),
        )
