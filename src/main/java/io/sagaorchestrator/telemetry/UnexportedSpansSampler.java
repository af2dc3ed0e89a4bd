package io.sagaorchestrator.telemetry;

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
 * W3C Trace Context says of a trace nobody records. With export on, the sampler {@code quarkus.otel.traces.sampler} names
 * decides, as it would without this bean (by default every saga is recorded).
 *
 * <p>Quarkus's OpenTelemetry extension takes the first {@link Sampler} bean in place of its configured one; it looks the
 * bean up when the SDK starts, so nothing injects it and it must be kept explicitly.
 */
@Singleton
@Unremovable
public class UnexportedSpansSampler implements Sampler {

    private static final Logger LOG = Logger.getLogger(UnexportedSpansSampler.class);

    private final Sampler sampler;
    private final boolean exported;

    @Inject
    UnexportedSpansSampler(@ConfigProperty(name = "quarkus.otel.exporter.otlp.traces.endpoint") Optional<String> endpoint,
                           Instance<SpanExporter> exporters,
                           @ConfigProperty(name = "quarkus.otel.traces.sampler", defaultValue = "parentbased_always_on") String configured,
                           @ConfigProperty(name = "quarkus.otel.traces.sampler.arg") Optional<Double> ratio) {
        this(endpoint.filter(e -> !e.isBlank()).isPresent() || !exporters.isUnsatisfied(), configured, ratio.orElse(1.0));
    }

    UnexportedSpansSampler(boolean exported, String configured, double ratio) {
        // the configured sampler is checked either way: a misspelt name fails the start, not the day export is turned on
        Sampler whenExported = configured(configured, ratio);
        this.exported = exported;
        this.sampler = exported ? whenExported : Sampler.parentBased(Sampler.alwaysOff());
        if (!exported) {
            LOG.info("Traces are exported nowhere (quarkus.otel.exporter.otlp.traces.endpoint is not set): spans are recorded"
                    + " only in traces whose caller samples them");
        }
    }

    /** The samplers {@code quarkus.otel.traces.sampler} can name (Quarkus's {@code SamplerType}). */
    private static Sampler configured(String name, double ratio) {
        return switch (name) {
            case "always_on" -> Sampler.alwaysOn();
            case "always_off" -> Sampler.alwaysOff();
            case "traceidratio" -> Sampler.traceIdRatioBased(ratio);
            case "parentbased_always_on" -> Sampler.parentBased(Sampler.alwaysOn());
            case "parentbased_always_off" -> Sampler.parentBased(Sampler.alwaysOff());
            case "parentbased_traceidratio" -> Sampler.parentBased(Sampler.traceIdRatioBased(ratio));
            default -> throw new IllegalStateException("quarkus.otel.traces.sampler=" + name + " is not a sampler this service"
                    + " knows: use always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or"
                    + " parentbased_traceidratio (with quarkus.otel.traces.sampler.arg for the ratio)");
        };
    }

    /** Whether spans go anywhere; when they do not, only a span whose parent is sampled is recorded. */
    public boolean exported() {
        return exported;
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
