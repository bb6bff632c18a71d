"""The `schedule` kind on GCP: Cloud Scheduler jobs that call their function with an OIDC token."""

from __future__ import annotations

import math

import pulumi
import pulumi_gcp as gcp

from portable.app import App, FunctionSpec
from portable.retries import FIRST_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS, RetryPolicy
from portable.schedule_trigger import ScheduleFunction
from providers.deploy.plan import compile_schedules
from providers.gcp.deploy.deployment import GcpDeployment, Wiring
from providers.gcp.deploy.iam import service_account
from providers.gcp.deploy.names import resource_id
from providers.gcp.deploy.schedule_expressions import cloud_scheduler_schedule
from providers.gcp.deploy.settings import GcpSettings

SERVICES = ("cloudscheduler.googleapis.com",)

# Enough doublings to reach the cap, so Cloud Scheduler waits what RetryPolicy.delay_before says.
MAX_DOUBLINGS = math.ceil(math.log2(MAX_BACKOFF_SECONDS / FIRST_BACKOFF_SECONDS))


def retry_config(policy: RetryPolicy) -> gcp.cloudscheduler.JobRetryConfigArgs:
    """The job's retries: `attempts` in all, with the portable backoff.

    No max_retry_duration: Cloud Scheduler retries until both it and retry_count are reached, so a
    duration could only add attempts, never stop them early; the max age cannot be expressed here.
    """
    return gcp.cloudscheduler.JobRetryConfigArgs(
        retry_count=policy.attempts - 1,
        min_backoff_duration=f"{FIRST_BACKOFF_SECONDS}s",
        max_backoff_duration=f"{MAX_BACKOFF_SECONDS}s",
        max_doublings=MAX_DOUBLINGS,
    )


def create_job(
    spec: FunctionSpec,
    expression: tuple[str, str],
    function: gcp.cloudfunctionsv2.Function,
    invoker_email: pulumi.Input[str],
    settings: GcpSettings,
    opts: pulumi.ResourceOptions,
) -> gcp.cloudscheduler.Job:
    """Cloud Scheduler adds X-CloudScheduler-ScheduleTime itself; the shim takes the firing's time from it.

    `opts` must make the job wait for the invoker's grant on the function, or its first firing is refused.
    """
    schedule, time_zone = expression
    return gcp.cloudscheduler.Job(
        spec.name,
        project=settings.project,
        region=settings.region,
        name=resource_id(f"{spec.name}-{pulumi.get_stack()}", 500),
        schedule=schedule,
        time_zone=time_zone,
        attempt_deadline=f"{min(max(spec.timeout_seconds + 30, 15), 1800)}s",
        retry_config=retry_config(spec.retries),
        http_target={
            "uri": function.url,
            "http_method": "POST",
            "oidc_token": {"service_account_email": invoker_email, "audience": function.url},
        },
        opts=opts,
    )


def plan(app: App, settings: GcpSettings) -> dict[str, tuple[str, str]]:
    """Every schedule as Cloud Scheduler's (schedule, time zone); one it cannot express stops the deploy."""
    return compile_schedules(app, cloud_scheduler_schedule, "Cloud Scheduler")


def prepare(deployment: GcpDeployment) -> None:
    """Jobs share nothing."""


def wire(deployment: GcpDeployment, spec: ScheduleFunction) -> Wiring:
    """The invoker account the job calls the function as."""
    settings = deployment.settings
    return Wiring(
        service_account(spec.name, "invoker", settings.project, deployment.info.stack, deployment.after_services)
    )


def connect(deployment: GcpDeployment, spec: ScheduleFunction, wiring: Wiring, invoker_grant: pulumi.Resource) -> None:
    """The function's job, once its invoker may call it."""
    assert wiring.invoker is not None
    create_job(
        spec,
        deployment.plan.triggers["schedule"][spec.name],
        deployment.functions[spec.name],
        wiring.invoker.email,
        deployment.settings,
        pulumi.ResourceOptions(depends_on=[*deployment.services, invoker_grant]),
    )


def finish(deployment: GcpDeployment) -> None:
    """Nothing waits for every scheduled function."""
