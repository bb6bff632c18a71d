"""Schedules as Cloud Scheduler jobs that call their function with an OIDC token."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from portable.app import FunctionSpec
from providers.gcp.deploy.names import resource_id
from providers.gcp.deploy.settings import GcpSettings

RETRY_COUNT = 3


def create_job(
    spec: FunctionSpec,
    expression: tuple[str, str],
    function: gcp.cloudfunctionsv2.Function,
    invoker_email: pulumi.Input[str],
    settings: GcpSettings,
    opts: pulumi.ResourceOptions,
) -> gcp.cloudscheduler.Job:
    """Cloud Scheduler adds X-CloudScheduler-ScheduleTime itself; the shim takes the firing's time from it."""
    schedule, time_zone = expression
    return gcp.cloudscheduler.Job(
        spec.name,
        project=settings.project,
        region=settings.region,
        name=resource_id(f"{spec.name}-{pulumi.get_stack()}", 500),
        schedule=schedule,
        time_zone=time_zone,
        attempt_deadline=f"{min(max(spec.timeout_seconds + 30, 15), 1800)}s",
        retry_config={"retry_count": RETRY_COUNT, "min_backoff_duration": "10s", "max_backoff_duration": "300s"},
        http_target={
            "uri": function.url,
            "http_method": "POST",
            "oidc_token": {"service_account_email": invoker_email, "audience": function.url},
        },
        opts=opts,
    )
