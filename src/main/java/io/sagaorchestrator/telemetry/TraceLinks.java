package io.sagaorchestrator.telemetry;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/**
 * Where the console links a saga's trace: {@code saga.tracing.trace-url} with {@code {traceId}} replaced, e.g.
 * {@code https://jaeger.example.com/trace/{traceId}} or a Grafana Tempo explore URL. No link when it is unset.
 */
@ApplicationScoped
public class TraceLinks {

    private final Optional<String> template;

    TraceLinks(@ConfigProperty(name = "saga.tracing.trace-url") Optional<String> template) {
        this.template = template;
    }

    /** The link to the trace, or null when there is no trace or no template. */
    public String to(String traceId) {
        return traceId == null || template.isEmpty() ? null : template.get().replace("{traceId}", traceId);
    }
}
