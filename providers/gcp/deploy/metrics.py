"""One log-based metric per declared metric: a distribution of the values the lines of `portable.metrics` carry,
with a label per dimension, counted from the lines of this stack's functions (their namespace)."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from portable.app import App
from portable.metrics import UNITS, label_extractors, log_filter, value_extractor
from providers.gcp.deploy.settings import GcpSettings


def namespace(project: str, stack: str) -> str:
    """The namespace of a GCP stack's metric lines: the Pulumi project and the stack, as two stacks may share one
    Google Cloud project's logs."""
    return f"{project}/{stack}"


def create_log_metrics(
    app: App, space: str, settings: GcpSettings, opts: pulumi.ResourceOptions
) -> dict[str, gcp.logging.Metric]:
    """`<namespace>/<metric>` in Cloud Monitoring as `logging.googleapis.com/user/<namespace>/<metric>`."""
    return {
        name: gcp.logging.Metric(
            f"{name}-metric",
            project=settings.project,
            name=f"{space}/{name}",
            description=f"portable.metric({name!r}) declared at {spec.where}",
            filter=log_filter(spec, space),
            value_extractor=value_extractor(),
            label_extractors=label_extractors(spec),
            metric_descriptor={
                "metric_kind": "DELTA",
                "value_type": "DISTRIBUTION",
                "unit": UNITS[spec.unit],
                "display_name": name,
                "labels": [{"key": dimension, "value_type": "STRING"} for dimension in spec.dimensions],
            },
            bucket_options={"exponential_buckets": {"num_finite_buckets": 64, "growth_factor": 2, "scale": 0.01}},
            opts=opts,
        )
        for name, spec in app.metrics.items()
    }
