"""OpenTelemetry, configured once per process by the app (`pip install portable-serverless[otel]` and an SDK).
Call `configure()` at the top of the modules whose calls should be spans."""

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter


def configure(exporter: SpanExporter) -> None:
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
