"""The AWS stack's settings, read from Pulumi config and checked before any resource exists."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi

from portable.errors import ConfigurationError
from providers.aws.deploy.package import ARCHITECTURES
from providers.deploy.config import choose, config_command, domain_name, positive_int, require
from providers.deploy.plan import StackInfo

# The retention periods CloudWatch Logs accepts, in days.
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)


@dataclass(frozen=True)
class CustomDomain:
    """portable:domain, and the ACM certificate (portable:certificateArn) API Gateway serves it with."""

    name: str
    certificate_arn: str


@dataclass(frozen=True)
class AwsSettings:
    architecture: str
    http_rate_limit: int
    http_burst_limit: int
    log_retention_days: int
    domain: CustomDomain | None = None


_CERTIFICATE_ARN = re.compile(r"arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate/[0-9a-f-]+")


def read_domain(region: str, stack: str) -> CustomDomain | None:
    """portable:domain and the ACM certificate for it, which a regional API needs in the stack's own region."""
    domain = domain_name("portable", "domain")
    certificate = pulumi.Config("portable").get("certificateArn")
    if domain is None:
        if certificate:
            raise ConfigurationError(
                "portable:certificateArn is set but portable:domain is not; set the domain the certificate is for, "
                f"e.g. {config_command('portable:domain', 'api.example.com', stack)}"
            )
        return None
    command = config_command("portable:certificateArn", f"arn:aws:acm:{region}:123456789012:certificate/<id>", stack)
    if not certificate:
        raise ConfigurationError(
            f"portable:domain is {domain!r} but the stack has no portable:certificateArn: API Gateway serves a custom "
            f"domain with an ACM certificate for it, issued in {region}; request one in ACM, then run {command}"
        )
    match = _CERTIFICATE_ARN.fullmatch(certificate)
    if match is None:
        raise ConfigurationError(
            f"portable:certificateArn is {certificate!r}, not an ACM certificate ARN; run {command}"
        )
    if match[1] != region:
        raise ConfigurationError(
            f"portable:certificateArn is in {match[1]}, but a regional API Gateway domain needs a certificate in the "
            f"stack's region {region}; request or import one there, then run {command}"
        )
    return CustomDomain(domain, certificate)


def read_settings(info: StackInfo) -> AwsSettings:
    region = require("aws", "region", "eu-central-1", "the AWS region to deploy to")  # the provider reads it
    architecture = choose("portable", "architecture", ARCHITECTURES, "x86_64")
    retention = positive_int("portable", "logRetentionDays", 14)
    if retention not in LOG_RETENTION_DAYS:
        raise ConfigurationError(
            f"portable:logRetentionDays is {retention}; CloudWatch Logs keeps logs for one of "
            f"{', '.join(map(str, LOG_RETENTION_DAYS))} days, e.g. "
            f"{config_command('portable:logRetentionDays', '30', info.stack)}"
        )
    return AwsSettings(
        architecture=architecture,
        http_rate_limit=positive_int("portable", "httpRateLimit", 100),
        http_burst_limit=positive_int("portable", "httpBurstLimit", 200),
        log_retention_days=retention,
        domain=read_domain(region, info.stack),
    )
