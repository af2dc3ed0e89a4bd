package io.sagaorchestrator.testsupport;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The spans of every {@code @QuarkusTest}, kept in memory: a SpanExporter bean replaces Quarkus's OTLP exporter. Tests
 * find theirs by trace id, so they need not reset it.
 */
public class TracingTestSpans {

    @Produces
    @Singleton
    InMemorySpanExporter spans() {
        return InMemorySpanExporter.create();
    }
}
