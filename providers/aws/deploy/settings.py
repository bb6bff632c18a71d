"""The AWS stack's settings, read from Pulumi config and checked before any resource exists."""

from __future__ import annotations

from dataclasses import dataclass

from portable.errors import ConfigurationError
from providers.aws.deploy.package import ARCHITECTURES
from providers.deploy.config import choose, config_command, positive_int, require
from providers.deploy.plan import StackInfo

# The retention periods CloudWatch Logs accepts, in days.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                      2922, 3288, 3653)


@dataclass(frozen=True)
class AwsSettings:
    architecture: str
    http_rate_limit: int
    http_burst_limit: int
    log_retention_days: int


def read_settings(info: StackInfo) -> AwsSettings:
    require("aws", "region", "eu-central-1", "the AWS region to deploy to")  # the provider reads it; check it first
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
    )
