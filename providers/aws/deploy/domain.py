"""A custom domain for the HTTP API: an API Gateway domain name with the stack's ACM certificate, mapped to the
API's `$default` stage. DNS stays the user's: a CNAME (or Route 53 alias) from the domain to `domain_target`."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from providers.aws.deploy.settings import CustomDomain


def map_domain(
    api: aws.apigatewayv2.Api, stage: aws.apigatewayv2.Stage, domain: CustomDomain
) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
    """The API's URL on `domain`, and the host name the domain's DNS record must point at."""
    name = aws.apigatewayv2.DomainName(
        "http-api-domain",
        domain_name=domain.name,
        domain_name_configuration={
            "certificate_arn": domain.certificate_arn,
            "endpoint_type": "REGIONAL",
            "security_policy": "TLS_1_2",
        },
    )
    aws.apigatewayv2.ApiMapping("http-api-domain-mapping", api_id=api.id, domain_name=name.id, stage=stage.name)
    target = name.domain_name_configuration.apply(lambda configuration: configuration.target_domain_name or "")
    return pulumi.Output.concat("https://", name.domain_name), target
