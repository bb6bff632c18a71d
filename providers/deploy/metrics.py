"""What both clouds' deploys give a function that records metrics: the namespace its lines name
(`portable.metrics.NAMESPACE_VARIABLE`)."""

from __future__ import annotations

from portable.app import App
from portable.metrics import NAMESPACE_VARIABLE


def metrics_environment(app: App, namespace: str) -> dict[str, str]:
    """The namespace variable, where the App declares a metric (none otherwise: Lambda's 4 KB of variables are
    counted)."""
    return {NAMESPACE_VARIABLE: namespace} if app.metrics else {}
