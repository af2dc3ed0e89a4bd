package io.sagaorchestrator.telemetry;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;
import jakarta.ws.rs.core.MultivaluedMap;

/**
 * Sends the current span (a step attempt's) as the {@code traceparent} of a REST client's call. Quarkus's own REST-client
 * and Vert.x HTTP instrumentation would do it too, but they cost a tenth of a saga's CPU (docs/design/performance.md), so they
 * are off and this is all a third party needs to join the saga's trace.
 */
public class TraceParentFilter implements ClientRequestFilter {

    private static final TextMapSetter<MultivaluedMap<String, Object>> HEADERS = (headers, name, value) -> headers.putSingle(name, value);

    @Override
    public void filter(ClientRequestContext request) {
        W3CTraceContextPropagator.getInstance().inject(Context.current(), request.getHeaders(), HEADERS);
    }
}
