package io.sagaorchestrator.telemetry;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With export on the configured sampler decides; with export off spans are recorded only when the caller samples its trace. */
class UnexportedSpansSamplerTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    @Test
    void withExportOnEverySagaIsRecorded() {
        // given a sampler for a service that exports its spans
        UnexportedSpansSampler sampler = new UnexportedSpansSampler(true, "parentbased_always_on", 1.0);

        // when a saga starts without a caller's trace, then its span is recorded and sampled
        assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(sampler, Context.root()));
    }

    @Test
    void withExportOffASagaOfNoSampledTraceIsNotRecorded() {
        // given a sampler for a service that exports nothing
        UnexportedSpansSampler sampler = new UnexportedSpansSampler(false, "parentbased_always_on", 1.0);

        // when a saga starts without a caller's trace, or in a trace its caller does not sample
        // then its span is not recorded
        assertEquals(SamplingDecision.DROP, decide(sampler, Context.root()));
        assertEquals(SamplingDecision.DROP, decide(sampler, callerTrace(TraceFlags.getDefault())));
    }

    @Test
    void withExportOffACallerWhoSamplesItsTraceStillGetsTheSpans() {
        // given a sampler for a service that exports nothing
        UnexportedSpansSampler sampler = new UnexportedSpansSampler(false, "parentbased_always_on", 1.0);

        // when a caller that samples its trace starts a saga, then the saga's spans are recorded and sampled
        assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(sampler, callerTrace(TraceFlags.getSampled())));
    }

    @Test
    void withExportOnTheConfiguredSamplerDecides() {
        // given a service that exports its spans and samples none of its own traces
        UnexportedSpansSampler sampler = new UnexportedSpansSampler(true, "parentbased_traceidratio", 0.0);

        // when a saga starts without a caller's trace, then it is not recorded; in a trace its caller samples, it is
        assertEquals(SamplingDecision.DROP, decide(sampler, Context.root()));
        assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(sampler, callerTrace(TraceFlags.getSampled())));
    }

    @Test
    void aSamplerNameItDoesNotKnowStopsTheStart() {
        // given a sampler name that is not one of Quarkus's, when the sampler is made, then it refuses, naming the setting
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new UnexportedSpansSampler(true, "jaeger_remote", 1.0));
        assertTrue(e.getMessage().contains("quarkus.otel.traces.sampler=jaeger_remote"), e.getMessage());
    }

    private static SamplingDecision decide(UnexportedSpansSampler sampler, Context parent) {
        return sampler.shouldSample(parent, TRACE, "saga user-sync", SpanKind.INTERNAL, Attributes.empty(), List.of()).getDecision();
    }

    private static Context callerTrace(TraceFlags flags) {
        return Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(TRACE, "00f067aa0ba902b7", flags, TraceState.getDefault())));
    }
}
