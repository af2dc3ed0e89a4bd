package io.sagaorchestrator.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.quarkus.arc.ClientProxy;
import io.sagaorchestrator.core.Direction;
import io.sagaorchestrator.core.Outcome;
import io.sagaorchestrator.core.SagaSnapshot;
import io.sagaorchestrator.core.SagaStatus;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Locale;

/**
 * One trace per saga. A saga's root span ({@code saga <definition>}) is opened when it starts, as a child of the start
 * request's span (which continues the caller's {@code traceparent}), and lasts as long as the run that started it:
 * for a saga that ends in its first run, its whole life. Its context is stored with the saga ({@code trace_parent}),
 * and every later span of the saga is made its child from there: a run resumed by recovery or by another instance
 * ({@code saga <definition> resumed}) and an operator's operation ({@code operator <operation>}), so they share the
 * trace id whatever process makes them. Each step attempt, in both directions, is a span of the run that makes it
 * ({@code <step> forward|compensation}); while it is current, the third party's client sends its {@code traceparent}
 * ({@link TraceParentFilter}, or by hand for declared HTTP calls).
 *
 * <p>With export off ({@link UnexportedSpansSampler}), a span whose parent is not sampled is dropped by the sampler: it
 * has its ids and records nothing. Such a span is made here, with the SDK's ids, rather than by a span builder that
 * would first be filled with the saga's attributes and then asked to drop them, as it would be for every saga.
 *
 * <p>Spans carry the saga's id, definition and version, business key, and for attempts the step, direction, attempt,
 * outcome and failure kind: never the input, the output or error messages, which may hold personal data.
 */
@ApplicationScoped
public class SagaTracing {

    public static final AttributeKey<String> SAGA_ID = AttributeKey.stringKey("saga.id");
    public static final AttributeKey<String> DEFINITION = AttributeKey.stringKey("saga.definition");
    public static final AttributeKey<Long> DEFINITION_VERSION = AttributeKey.longKey("saga.definition.version");
    public static final AttributeKey<String> BUSINESS_KEY = AttributeKey.stringKey("saga.business_key");
    public static final AttributeKey<String> STATUS = AttributeKey.stringKey("saga.status");
    public static final AttributeKey<String> STEP = AttributeKey.stringKey("saga.step");
    public static final AttributeKey<String> DIRECTION = AttributeKey.stringKey("saga.direction");
    public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("saga.attempt");
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("saga.outcome");
    public static final AttributeKey<String> FAILURE_KIND = AttributeKey.stringKey("saga.failure.kind");
    public static final AttributeKey<String> OPERATION = AttributeKey.stringKey("saga.operation");

    private static final TextMapGetter<HttpServerRequest> REQUEST_HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpServerRequest request) {
            return request.headers().names();
        }

        @Override
        public String get(HttpServerRequest request, String name) {
            return request.getHeader(name);
        }
    };

    private static final IdGenerator IDS = IdGenerator.random();

    private final Tracer tracer;
    /** Only spans with a sampled parent are recorded: export is off, and the SDK (with its sampler) is on. */
    private final boolean onlySampledParents;

    @Inject
    SagaTracing(Tracer tracer, UnexportedSpansSampler sampler,
                @ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "false") boolean sdkDisabled,
                @ConfigProperty(name = "quarkus.otel.traces.enabled", defaultValue = "true") boolean tracesEnabled) {
        this(tracer, !sdkDisabled && tracesEnabled && !sampler.exported());
    }

    SagaTracing(Tracer tracer, boolean onlySampledParents) {
        this.tracer = tracer;
        this.onlySampledParents = onlySampledParents;
    }

    /** The attributes every span of the saga carries; built once per run. */
    public static Attributes of(SagaSnapshot saga) {
        return Attributes.of(SAGA_ID, saga.id().toString(), DEFINITION, saga.definitionName(),
                DEFINITION_VERSION, (long) saga.definitionVersion(), BUSINESS_KEY, saga.businessKey() == null ? "" : saga.businessKey());
    }

    /**
     * The caller's trace, from the {@code traceparent} (and {@code tracestate}) of its request; the current context when
     * it sent none. Read here rather than by Quarkus's HTTP instrumentation, which is off for what it costs.
     */
    public static Context callerOf(HttpServerRequest request) {
        // an injected request is a CDI proxy, which would look the request up again for each header the propagator reads
        return W3CTraceContextPropagator.getInstance().extract(Context.current(), ClientProxy.unwrap(request), REQUEST_HEADERS);
    }

    /** The root span of a new saga, a child of the current span (the start request's, or the caller's transaction's). */
    public Span startSaga(SagaSnapshot saga, Attributes sagaAttributes) {
        SpanContext parent = Span.current().getSpanContext();
        if (dropped(parent)) {
            return unrecorded(parent);
        }
        return tracer.spanBuilder("saga " + saga.definitionName()).setParent(Context.current()).setAllAttributes(sagaAttributes)
                .startSpan();
    }

    /**
     * The span of a run that continues a saga: a child of its stored root, or, for a saga without one (dispatched by
     * SQL, or started while tracing was off), its new root span, whose context the caller stores.
     */
    public Span resumeSaga(SagaSnapshot saga, Attributes sagaAttributes) {
        SpanContext root = parse(saga.traceParent());
        SpanContext parent = root == null ? SpanContext.getInvalid() : root;
        if (dropped(parent)) {
            return unrecorded(parent);
        }
        if (root == null) {
            return tracer.spanBuilder("saga " + saga.definitionName()).setNoParent().setAllAttributes(sagaAttributes).startSpan();
        }
        return tracer.spanBuilder("saga " + saga.definitionName() + " resumed").setParent(Context.root().with(Span.wrap(root)))
                .setAllAttributes(sagaAttributes).startSpan();
    }

    /** Ends a run's span, saying where the saga stands. */
    public static void endRun(Span run, SagaSnapshot saga) {
        run.setAttribute(STATUS, saga.status().name());
        if (saga.status() == SagaStatus.ESCALATED) {
            run.setStatus(StatusCode.ERROR, "escalated");
        }
        run.end();
    }

    /** The span of one step attempt, a child of its run's span. */
    public Span startAttempt(Span run, Attributes sagaAttributes, String step, Direction direction, int attempt) {
        if (dropped(run.getSpanContext())) {
            return unrecorded(run.getSpanContext());
        }
        String dir = direction.name().toLowerCase(Locale.ROOT);
        return tracer.spanBuilder(step + " " + dir).setParent(Context.root().with(run)).setAllAttributes(sagaAttributes)
                .setAttribute(STEP, step).setAttribute(DIRECTION, dir).setAttribute(ATTEMPT, attempt).startSpan();
    }

    /** Ends an attempt's span with its outcome, and the kind of its failure (never its message: it may hold personal data). */
    public static void endAttempt(Span attempt, Outcome outcome, String failureKind) {
        attempt.setAttribute(OUTCOME, outcome.name());
        if (failureKind != null) {
            attempt.setAttribute(FAILURE_KIND, failureKind);
            attempt.setStatus(StatusCode.ERROR, failureKind);
        }
        attempt.end();
    }

    /** The span of an operator's operation on a saga, in the saga's trace, linked to the request that asked for it. */
    public Span operation(SagaSnapshot saga, String operation) {
        SpanContext root = parse(saga.traceParent());
        var builder = tracer.spanBuilder("operator " + operation).setAllAttributes(of(saga)).setAttribute(OPERATION, operation);
        if (root == null) {
            return builder.startSpan();
        }
        return builder.setParent(Context.root().with(Span.wrap(root))).addLink(Span.current().getSpanContext()).startSpan();
    }

    /** Whether the sampler would drop a child of this parent (an invalid one: a new trace's root). */
    private boolean dropped(SpanContext parent) {
        return onlySampledParents && !parent.isSampled();
    }

    /** The span the SDK gives when its sampler drops one: the parent's trace (or a new one), a span id of its own. */
    private static Span unrecorded(SpanContext parent) {
        return parent.isValid()
                ? Span.wrap(SpanContext.create(parent.getTraceId(), IDS.generateSpanId(), TraceFlags.getDefault(), parent.getTraceState()))
                : Span.wrap(SpanContext.create(IDS.generateTraceId(), IDS.generateSpanId(), TraceFlags.getDefault(), TraceState.getDefault()));
    }

    /** The W3C {@code traceparent} of a span; null when it is not traced (tracing off). */
    public static String traceParent(Span span) {
        SpanContext c = span.getSpanContext();
        return c.isValid() ? "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex() : null;
    }

    /** The trace id of a stored {@code traceparent}; null when there is none. */
    public static String traceId(String traceParent) {
        SpanContext c = parse(traceParent);
        return c == null ? null : c.getTraceId();
    }

    private static SpanContext parse(String traceParent) {
        if (traceParent == null || traceParent.length() != 55) {
            return null;
        }
        SpanContext c = SpanContext.createFromRemoteParent(traceParent.substring(3, 35), traceParent.substring(36, 52),
                TraceFlags.fromHex(traceParent, 53), TraceState.getDefault());
        return c.isValid() ? c : null;
    }
}
