package io.sagaorchestrator.store;

import io.sagaorchestrator.core.SagaStatus;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** The status sets of {@link SagaStatus} as SQL conditions: each written once, from the enum, for every statement of the store. */
final class StatusSql {

    /** {@code status in ('RUNNING', 'COMPENSATING')} */
    static final String LIVE = in(SagaStatus.LIVE);
    static final String UNSETTLED = in(SagaStatus.UNSETTLED);
    static final String SETTLED = in(SagaStatus.SETTLED);
    /** {@code status in ('COMPLETED', 'COMPENSATED', 'ESCALATED', 'RESOLVED')}: the sagas whose errors V19's error-text index holds */
    static final String ENDED = in(EnumSet.complementOf(EnumSet.copyOf(SagaStatus.LIVE)));

    private StatusSql() {
    }

    private static String in(Set<SagaStatus> statuses) {
        return statuses.stream().map(s -> "'" + s.name() + "'").collect(Collectors.joining(", ", "status in (", ")"));
    }
}
