package io.sagaorchestrator.telemetry;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.sagaorchestrator.core.Direction;
import io.sagaorchestrator.core.Outcome;
import io.sagaorchestrator.core.SagaSnapshot;
import io.sagaorchestrator.core.SagaStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With export off, the spans of a saga nobody samples are made without the SDK's builder, and are what its sampler
 * would have made of them: ids in the saga's trace, sent on as not sampled, nothing recorded. A caller who samples
 * still gets every span.
 */
class SagaTracingWithoutExportTest {

    private static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";

    private final InMemorySpanExporter exported = InMemorySpanExporter.create();
    private final SdkTracerProvider sdk = SdkTracerProvider.builder()
            .setSampler(new UnexportedSpansSampler(false, "parentbased_always_on", 1.0))
            .addSpanProcessor(SimpleSpanProcessor.create(exported)).build();
    private final SagaTracing tracing = new SagaTracing(sdk.get("test"), true);

    @AfterEach
    void close() {
        sdk.close();
    }

    @Test
    void aSagaNobodySamplesHasATraceAndIdsButRecordsNothing() {
        // given a saga started without a caller's trace
        SagaSnapshot saga = saga(null);
        Span root = tracing.startSaga(saga, SagaTracing.of(saga));

        // when its step runs, then the step's traceparent (sent to the third party) is in the saga's trace, not sampled
        Span attempt = tracing.startAttempt(root, SagaTracing.of(saga), "tt-add-user", Direction.FORWARD, 1);
        String rootParent = SagaTracing.traceParent(root);
        String attemptParent = SagaTracing.traceParent(attempt);
        assertTrue(rootParent.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-00"), rootParent);
        assertEquals(root.getSpanContext().getTraceId(), attempt.getSpanContext().getTraceId());
        assertNotEquals(root.getSpanContext().getSpanId(), attempt.getSpanContext().getSpanId());
        assertTrue(attemptParent.endsWith("-00"), attemptParent);

        // and nothing is recorded
        SagaTracing.endAttempt(attempt, Outcome.SUCCEEDED, null);
        SagaTracing.endRun(root, saga);
        assertFalse(root.isRecording() || attempt.isRecording());
        assertEquals(List.of(), exported.getFinishedSpanItems());
    }

    @Test
    void aCallerWhoDoesNotSampleHasTheSagaInItsTrace() {
        // given a caller whose trace is not sampled, when it starts a saga, then the saga joins its trace, unrecorded
        SagaSnapshot saga = saga(null);
        Span root;
        try (Scope ignored = caller(TraceFlags.getDefault()).makeCurrent()) {
            root = tracing.startSaga(saga, SagaTracing.of(saga));
        }
        assertEquals(CALLER_TRACE, root.getSpanContext().getTraceId());
        assertNotEquals(CALLER_SPAN, root.getSpanContext().getSpanId());
        assertFalse(root.isRecording());
    }

    @Test
    void aCallerWhoSamplesGetsEverySpanOfTheSaga() {
        // given a caller who samples its trace, when it starts a saga whose step runs
        SagaSnapshot saga = saga(null);
        try (Scope ignored = caller(TraceFlags.getSampled()).makeCurrent()) {
            Span root = tracing.startSaga(saga, SagaTracing.of(saga));
            SagaTracing.endAttempt(tracing.startAttempt(root, SagaTracing.of(saga), "tt-add-user", Direction.FORWARD, 1),
                    Outcome.SUCCEEDED, null);
            SagaTracing.endRun(root, saga);
        }

        // then both spans are recorded in the caller's trace, with the saga's attributes
        assertEquals(List.of("tt-add-user forward", "saga user-sync"),
                exported.getFinishedSpanItems().stream().map(s -> s.getName()).toList());
        exported.getFinishedSpanItems().forEach(s -> {
            assertEquals(CALLER_TRACE, s.getTraceId());
            assertEquals(saga.id().toString(), s.getAttributes().get(SagaTracing.SAGA_ID));
        });
    }

    @Test
    void aResumedRunOfAnUnsampledSagaStaysInItsTrace() {
        // given a saga whose stored trace is not sampled, when another run resumes it, then that run is in the same trace
        SagaSnapshot saga = saga("00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-00");
        Span resumed = tracing.resumeSaga(saga, SagaTracing.of(saga));
        assertEquals(CALLER_TRACE, resumed.getSpanContext().getTraceId());
        assertFalse(resumed.isRecording());
    }

    private static Context caller(TraceFlags flags) {
        return Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(CALLER_TRACE, CALLER_SPAN, flags, TraceState.getDefault())));
    }

    private static SagaSnapshot saga(String traceParent) {
        return new SagaSnapshot(UUID.randomUUID(), "user-sync", 1, "hash", SagaStatus.RUNNING, "key",
                JsonNodeFactory.instance.objectNode(), null, 0, 1, 0, Map.of(), 1, null, Instant.EPOCH, traceParent);
    }
}
