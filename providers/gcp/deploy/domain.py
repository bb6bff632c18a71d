"""A custom domain for the API Gateway gateway, which has no custom-domain setting of its own: a global external
HTTPS load balancer whose backend is a serverless network endpoint group of the gateway, with a Google-managed
certificate for the domain. DNS stays the user's: an A record from the domain to `domain_target`; the certificate
becomes active once that record resolves (usually within an hour)."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from providers.gcp.deploy.settings import GcpSettings


def serve_domain(
    gateway: gcp.apigateway.Gateway, domain: str, settings: GcpSettings, opts: pulumi.ResourceOptions
) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
    """The API's URL on `domain`, and the IP address the domain's A record must point at."""
    group = gcp.compute.RegionNetworkEndpointGroup(
        "http-api-domain-neg",
        project=settings.project,
        region=settings.region,
        network_endpoint_type="SERVERLESS",
        serverless_deployment={"platform": "apigateway.googleapis.com", "resource": gateway.gateway_id},
        opts=opts,
    )
    backend = gcp.compute.BackendService(
        "http-api-domain-backend",
        project=settings.project,
        load_balancing_scheme="EXTERNAL_MANAGED",
        protocol="HTTPS",
        backends=[{"group": group.id}],
        opts=opts,
    )
    url_map = gcp.compute.URLMap(
        "http-api-domain-urls", project=settings.project, default_service=backend.id, opts=opts
    )
    certificate = gcp.compute.ManagedSslCertificate(
        "http-api-domain-certificate",
        project=settings.project,
        managed={"domains": [domain]},
        opts=opts,
    )
    proxy = gcp.compute.TargetHttpsProxy(
        "http-api-domain-proxy",
        project=settings.project,
        url_map=url_map.id,
        ssl_certificates=[certificate.id],
        opts=opts,
    )
    address = gcp.compute.GlobalAddress("http-api-domain-address", project=settings.project, opts=opts)
    gcp.compute.GlobalForwardingRule(
        "http-api-domain-https",
        project=settings.project,
        target=proxy.id,
        port_range="443",
        ip_address=address.address,
        load_balancing_scheme="EXTERNAL_MANAGED",
        opts=opts,
    )
    return pulumi.Output.from_input(f"https://{domain}"), address.address
