package io.sagaorchestrator.examples.usersync;

import io.sagaorchestrator.steps.UnknownOutcomeFailure;

/** TT answers 200 with a status in its envelope; one it does not promise leaves the outcome unknown. */
final class TtFailures {

    private TtFailures() {
    }

    static UnknownOutcomeFailure unexpected(String call, TtUserApi.Answer answer) {
        return new UnknownOutcomeFailure(call + " answered an unexpected status " + (answer == null ? "(no body)" : answer.status()), null);
    }
}
