"""noted, in an app that configures OpenTelemetry (with BENCH_OTEL set: the bench's other processes, and the
tests that load bench.app, never do): the cost of a span per call, and of OpenTelemetry at a cold start."""

import os

from portable import Message, queue

traced_jottings = queue("traced-jottings")

if os.environ.get("BENCH_OTEL"):
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

    class Dropped(SpanExporter):
        """An exporter that sends nowhere: the bench measures the spans, not a collector."""

        def export(self, spans: object) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(Dropped()))
    trace.set_tracer_provider(provider)


@traced_jottings.on_message
def noted_traced(message: Message) -> None:
    del message
