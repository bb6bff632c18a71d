"""One Cloud Function (gen2) per portable function, built by Cloud Build from its source archive."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_gcp as gcp

from portable.app import FunctionSpec, ResourceSpec
from portable.cors_policy import Cors
from providers.deploy.packaging import file_digest
from providers.deploy.resources import cors_environment, function_environment
from providers.gcp.deploy.iam import INVOKER
from providers.gcp.deploy.names import resource_id
from providers.gcp.deploy.settings import GcpSettings


def create_source_bucket(settings: GcpSettings, opts: pulumi.ResourceOptions) -> gcp.storage.Bucket:
    return gcp.storage.Bucket(
        "function-sources",
        project=settings.project,
        location=settings.region,
        uniform_bucket_level_access=True,
        public_access_prevention="enforced",
        force_destroy=True,
        opts=opts,
    )


def create_function(
    spec: FunctionSpec,
    archive: Path,
    settings: GcpSettings,
    python_version: str,
    source_bucket: gcp.storage.Bucket,
    account: gcp.serviceaccount.Account,
    physical_names: dict[ResourceSpec, pulumi.Input[str]],
    event_trigger: gcp.cloudfunctionsv2.FunctionEventTriggerArgs | None,
    opts: pulumi.ResourceOptions,
    cors: Cors | None = None,
    extra_environment: dict[str, str] | None = None,
) -> gcp.cloudfunctionsv2.Function:
    """One function; an HTTP one gets the App's CORS policy in PORTABLE_CORS (its shim answers preflights);
    `extra_environment` adds variables (the metrics' namespace)."""
    # The object name carries the archive's digest: a changed archive is a new object, which redeploys.
    source = gcp.storage.BucketObject(
        f"{spec.name}-source",
        bucket=source_bucket.name,
        name=f"{spec.name}/{file_digest(archive)[:32]}.zip",
        source=pulumi.FileAsset(str(archive)),
        opts=opts,
    )
    return gcp.cloudfunctionsv2.Function(
        spec.name,
        project=settings.project,
        location=settings.region,
        name=resource_id(f"{spec.name}-{pulumi.get_stack()}", 63),
        build_config=gcp.cloudfunctionsv2.FunctionBuildConfigArgs(
            service_account=settings.build_service_account,
            runtime=f"python{python_version.replace('.', '')}",
            entry_point=spec.name,
            source=gcp.cloudfunctionsv2.FunctionBuildConfigSourceArgs(
                storage_source=gcp.cloudfunctionsv2.FunctionBuildConfigSourceStorageSourceArgs(
                    bucket=source_bucket.name,
                    object=source.name,
                ),
            ),
        ),
        service_config=gcp.cloudfunctionsv2.FunctionServiceConfigArgs(
            available_memory=f"{spec.memory_mb}M",
            timeout_seconds=spec.timeout_seconds,
            environment_variables=function_environment(
                spec,
                physical_names,
                GOOGLE_CLOUD_PROJECT=settings.project,
                **cors_environment(spec, cors),
                **(extra_environment or {}),
            ),
            service_account_email=account.email,
            ingress_settings="ALLOW_ALL",
            all_traffic_on_latest_revision=True,
        ),
        event_trigger=event_trigger,
        opts=opts,
    )


def allow_invoker(
    label: str, function: gcp.cloudfunctionsv2.Function, member: pulumi.Input[str], settings: GcpSettings
) -> gcp.cloudrunv2.ServiceIamMember:
    """`member` may call this one function (its Cloud Run service), nothing else."""
    return gcp.cloudrunv2.ServiceIamMember(
        label,
        project=settings.project,
        location=settings.region,
        name=function.service_config.apply(lambda config: config.service if config else None),
        role=INVOKER,
        member=member,
    )


def dead_letter_filter(function: gcp.cloudfunctionsv2.Function) -> pulumi.Output[str]:
    """The Cloud Logging query that finds the function's dead letters: the shim logs each as one ERROR line."""
    return pulumi.Output.concat('resource.labels.service_name="', function.name, '" AND jsonPayload.dead_letter=true')
