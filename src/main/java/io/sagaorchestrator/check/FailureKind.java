package io.sagaorchestrator.check;

/** A failure a step can meet, as the failure-point matrix plays it through the core. */
public enum FailureKind {
    REJECTED("rejected", "the step's call or transaction is refused (a 4xx, a broken constraint): not worth retrying"),
    BUDGET_SPENT("budget spent", "every attempt fails with a retryable failure until the step's attempt budget is spent"),
    UNKNOWN_OUTCOME("unknown outcome", "every answer is lost (timeout, 5xx, dropped connection): the call may have taken effect"),
    KILL_AFTER_INTENT("kill after intent", "the process dies after the attempt's intent committed, before its outcome did"),
    KILL_AFTER_LOCAL_COMMIT("kill after local commit", "the process dies right after the step's local transaction committed"),
    KILL_WHILE_UNDOING("kill while undoing", "the process dies after the intents of a group's undos, made side by side,"
            + " committed, before their outcomes did"),
    COMPENSATION_FAILS("compensation fails", "the step's compensation fails on every attempt of its budget"),
    CHECK_FAILS("check fails", "the compensation answers success, but its verify: check finds the effect still there on every"
            + " attempt of its budget: drift"),
    DEADLINE_PASSES("deadline passes", "the saga's or the step's deadline passes while the saga stands on the step"),
    CONDITION_FALSE("condition false", "the step's condition (when:) is false when the saga reaches it: it is skipped"),
    WAIT_TIMES_OUT("wait times out", "no signal comes before the await's timeout: its onTimeout decides"),
    SIGNAL_REFUSED("signal refuses", "the signal that comes is a refusal (the await's rejectWhen holds): the await fails"),
    KILLED_WHILE_WAITING("killed while waiting", "the process dies while the saga waits for its signal: nothing is held, and"
            + " the signal or the timeout makes it due again for any instance");

    private final String label;
    private final String meaning;

    FailureKind(String label, String meaning) {
        this.label = label;
        this.meaning = meaning;
    }

    public String label() {
        return label;
    }

    public String meaning() {
        return meaning;
    }
}
