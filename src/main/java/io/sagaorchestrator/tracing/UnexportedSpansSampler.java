package io.sagaorchestrator.tracing;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;

/**
 * Records spans only when they go somewhere. With export off (no OTLP endpoint, no exporter bean) a recorded span is
 * built, filled and handed to a processor only to be dropped, for every saga; so then a trace is recorded only when the
 * caller's {@code traceparent} asks for it (sampled), and otherwise its spans are not recorded. They still have their
 * ids: the saga still stores its trace id and sends a {@code traceparent} to every third party, marked not sampled, as
 * W3C Trace Context says of a trace nobody records. With export on, every saga is recorded, as before.
 *
 * <p>Quarkus's OpenTelemetry extension takes the first {@link Sampler} bean in place of its configured one; it looks the
 * bean up when the SDK starts, so nothing injects it and it must be kept explicitly.
 */
@Singleton
@Unremovable
public class UnexportedSpansSampler implements Sampler {

    private static final Logger LOG = Logger.getLogger(UnexportedSpansSampler.class);

    private final boolean exported;
    private final Sampler sampler;

    @Inject
    UnexportedSpansSampler(@ConfigProperty(name = "quarkus.otel.exporter.otlp.traces.endpoint") Optional<String> endpoint,
                           Instance<SpanExporter> exporters) {
        this(endpoint.filter(e -> !e.isBlank()).isPresent() || !exporters.isUnsatisfied());
        if (!exported) {
            LOG.info("Traces are exported nowhere (quarkus.otel.exporter.otlp.traces.endpoint is not set): spans are recorded"
                    + " only in traces whose caller samples them");
        }
    }

    UnexportedSpansSampler(boolean exported) {
        this.exported = exported;
        this.sampler = Sampler.parentBased(exported ? Sampler.alwaysOn() : Sampler.alwaysOff());
    }

    @Override
    public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind, Attributes attributes,
                                       List<LinkData> parentLinks) {
        return sampler.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
    }

    @Override
    public String getDescription() {
        return "UnexportedSpansSampler{" + sampler.getDescription() + "}";
    }
}
