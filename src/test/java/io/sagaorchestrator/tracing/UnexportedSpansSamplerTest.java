package io.sagaorchestrator.tracing;

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

/** Spans are recorded when they are exported, or when the caller samples its trace; otherwise they are not. */
class UnexportedSpansSamplerTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    @Test
    void withExportOnEverySagaIsRecorded() {
        // given a sampler for a service that exports its spans
        UnexportedSpansSampler sampler = new UnexportedSpansSampler(true);

        // when a saga starts without a caller's trace, then its span is recorded and sampled
        assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(sampler, Context.root()));
    }

    @Test
    void withExportOffASagaOfNoSampledTraceIsNotRecorded() {
        // given a sampler for a service that exports nothing
        UnexportedSpansSampler sampler = new UnexportedSpansSampler(false);

        // when a saga starts without a caller's trace, or in a trace its caller does not sample
        // then its span is not recorded
        assertEquals(SamplingDecision.DROP, decide(sampler, Context.root()));
        assertEquals(SamplingDecision.DROP, decide(sampler, callerTrace(TraceFlags.getDefault())));
    }

    @Test
    void withExportOffACallerWhoSamplesItsTraceStillGetsTheSpans() {
        // given a sampler for a service that exports nothing
        UnexportedSpansSampler sampler = new UnexportedSpansSampler(false);

        // when a caller that samples its trace starts a saga, then the saga's spans are recorded and sampled
        assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(sampler, callerTrace(TraceFlags.getSampled())));
    }

    private static SamplingDecision decide(UnexportedSpansSampler sampler, Context parent) {
        return sampler.shouldSample(parent, TRACE, "saga user-sync", SpanKind.INTERNAL, Attributes.empty(), List.of()).getDecision();
    }

    private static Context callerTrace(TraceFlags flags) {
        return Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(TRACE, "00f067aa0ba902b7", flags, TraceState.getDefault())));
    }
}
