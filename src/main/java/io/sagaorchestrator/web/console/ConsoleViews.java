package io.sagaorchestrator.web.console;

import io.quarkus.qute.TemplateData;
import io.sagaorchestrator.check.Diagram;
import io.sagaorchestrator.core.Direction;
import io.sagaorchestrator.core.Effect;
import io.sagaorchestrator.store.SagaViews;
import io.sagaorchestrator.definitions.DefinitionChanges;
import io.sagaorchestrator.store.AuditTrail;
import io.sagaorchestrator.core.SagaStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** What the console's pages show, shaped for the templates; the data itself comes from the API's services. */
@TemplateData(target = SagaViews.Summary.class)
@TemplateData(target = SagaViews.Detail.class)
@TemplateData(target = SagaViews.Step.class)
@TemplateData(target = AuditTrail.Entry.class)
final class ConsoleViews {

    private ConsoleViews() {
    }

    /** Every status, in the order a saga goes through them. */
    static final List<String> STATUSES = List.of(SagaStatus.RUNNING.name(), SagaStatus.COMPLETED.name(),
            SagaStatus.COMPENSATING.name(), SagaStatus.COMPENSATED.name(), SagaStatus.ESCALATED.name(), SagaStatus.RESOLVED.name());

    /** Who is signed in, and the token their forms carry (see {@link ConsoleCsrf}). */
    @TemplateData
    record Page(String user, boolean operator, String csrf, String section) {
        public String role() {
            return operator ? "operator" : "viewer";
        }
    }

    @TemplateData
    record StatusCount(String status, long count) {
    }

    @TemplateData
    record DefinitionRow(String name, List<StatusCount> counts, long total) {
    }

    @TemplateData
    record Overview(List<StatusCount> byStatus, long total, List<DefinitionRow> byDefinition, long retrying, long paused,
                    SagaViews.Summary oldestLive, Long oldestLiveAgeSeconds, List<SagaViews.Summary> escalated, Instant at,
                    long waitingForSignal) {

        static Overview of(SagaViews.Stats stats, List<SagaViews.Summary> escalated) {
            List<StatusCount> byStatus = STATUSES.stream()
                    .map(s -> new StatusCount(s, stats.byStatus().getOrDefault(s, 0L))).toList();
            List<DefinitionRow> byDefinition = new ArrayList<>();
            for (Map.Entry<String, Map<String, Long>> d : stats.byDefinition().entrySet()) {
                List<StatusCount> counts = STATUSES.stream().map(s -> new StatusCount(s, d.getValue().getOrDefault(s, 0L))).toList();
                byDefinition.add(new DefinitionRow(d.getKey(), counts, counts.stream().mapToLong(StatusCount::count).sum()));
            }
            return new Overview(byStatus, byStatus.stream().mapToLong(StatusCount::count).sum(), byDefinition, stats.retrying(),
                    stats.paused(), stats.oldestLive(), stats.oldestLiveAgeSeconds(), escalated, stats.asOf(),
                    stats.waitingForSignal());
        }

        public List<String> statuses() {
            return STATUSES;
        }
    }

    /** One attempt of one step, in either direction, as a line of the saga's timeline. */
    @TemplateData
    record TimelineEntry(int n, String step, String stepType, String direction, int attempt, String outcome, String instance,
                         Instant startedAt, Instant endedAt, String errorClass, String errorMessage, String request,
                         String response) {

        /** Every attempt of every step, in the order they started. */
        static List<TimelineEntry> of(SagaViews.Detail saga) {
            record Raw(SagaViews.Step step, SagaViews.Attempt attempt) {
            }
            List<Raw> raw = new ArrayList<>();
            for (SagaViews.Step step : saga.steps()) {
                if (step.attempts() != null) {
                    step.attempts().forEach(a -> raw.add(new Raw(step, a)));
                }
            }
            raw.sort(Comparator.comparing((Raw r) -> r.attempt().startedAt(), Comparator.nullsLast(Comparator.naturalOrder())));
            List<TimelineEntry> entries = new ArrayList<>();
            for (Raw r : raw) {
                SagaViews.Attempt a = r.attempt();
                entries.add(new TimelineEntry(entries.size() + 1, r.step().name(), r.step().type(), a.direction(), a.attempt(),
                        a.outcome(), a.instance(), a.startedAt(), a.endedAt(), a.errorClass(), a.errorMessage(),
                        a.request() == null ? null : a.request().toPrettyString(),
                        a.response() == null ? null : a.response().toPrettyString()));
            }
            return entries;
        }

        public boolean compensating() {
            return !"FORWARD".equals(direction);
        }

        /** The attempt checked that a compensation really undid ({@code verify:}). */
        public boolean checking() {
            return "VERIFY".equals(direction);
        }

        public String took() {
            return startedAt == null || endedAt == null ? null : ConsoleFormat.duration(java.time.Duration.between(startedAt, endedAt));
        }
    }

    /** A manual operation the signed-in operator may try in the saga's state. */
    @TemplateData
    record Action(String operation, String title, String help, boolean force, String draft) {
    }

    /** What happened to the operation the operator just sent: applied (its audit entry), or refused and why. */
    @TemplateData
    record Outcome(boolean applied, String message, AuditTrail.Entry entry, String operation, String reason, Preview preview) {

        Outcome(boolean applied, String message, AuditTrail.Entry entry, String operation, String reason) {
            this(applied, message, entry, operation, reason, null);
        }
    }

    /** A re-plan's dry run: what moving the saga to the current definition would change; nothing was changed. */
    @TemplateData
    record Preview(int fromVersion, int toVersion, List<String> changes, String statusAfter) {

        static Preview of(DefinitionChanges plan, String statusAfter) {
            List<String> changes = new ArrayList<>(plan.policies());
            changes.addAll(plan.stepsAhead());
            return new Preview(plan.fromVersion(), plan.toVersion(), changes, statusAfter);
        }
    }

    /**
     * A step of the saga as its definition lists it, with its effect and output, and whether its compensation was verified.
     *
     * @param undoCheck       "verified", "not verified", "check not needed" or "no check declared"; null while the
     *                        compensation has not run
     * @param undoCheckReason why not verified or not needed; else null
     */
    @TemplateData
    record StepSummary(int index, String name, String type, String action, String compensation, String effect, String output,
                       int attempts, String undoCheck, String undoCheckReason) {

        static List<StepSummary> of(SagaViews.Detail saga) {
            List<StepSummary> steps = new ArrayList<>();
            for (SagaViews.Step s : saga.steps()) {
                SagaViews.CompensationCheckView check = s.compensationCheck();
                steps.add(new StepSummary(steps.size() + 1, s.name(), s.type(), s.action(), s.compensation(), s.effect(),
                        s.output() == null ? null : s.output().toPrettyString(), s.attempts() == null ? 0 : s.attempts().size(),
                        check == null ? null : undoCheck(check.state()), check == null ? null : check.reason()));
            }
            return steps;
        }

        private static String undoCheck(String state) {
            return switch (state) {
                case SagaViews.CompensationCheckView.VERIFIED -> "verified";
                case SagaViews.CompensationCheckView.NOT_VERIFIED -> "not verified";
                case SagaViews.CompensationCheckView.NOT_NEEDED -> "check not needed";
                default -> "no check declared";
            };
        }
    }

    /**
     * What became of each step and each undo of a saga, drawn over its definition's diagram. A step's effect says most; a
     * step tried without an effect is where a live saga stands (running) or where a saga that ended stopped (failed), and
     * the await a released saga stands on is waiting; an undo is done once its step is compensated, running while the saga
     * compensates it, failed where the saga escalated.
     */
    static Diagram.Overlay overlay(SagaViews.Detail saga) {
        SagaStatus status = SagaStatus.valueOf(saga.status());
        Map<Integer, Diagram.Mark> steps = new HashMap<>();
        Map<Integer, Diagram.Mark> undos = new HashMap<>();
        // a saga stands on its first step without an effect: the steps before it ran or were skipped
        int waitingAt = 0;
        while (waitingAt < saga.steps().size() && saga.steps().get(waitingAt).effect() != null) {
            waitingAt++;
        }
        for (int i = 0; i < saga.steps().size(); i++) {
            SagaViews.Step step = saga.steps().get(i);
            List<SagaViews.Attempt> attempts = step.attempts() == null ? List.of() : step.attempts();
            boolean undoTried = attempts.stream().anyMatch(a -> Direction.COMPENSATION.name().equals(a.direction()));
            Effect effect = step.effect() == null ? null : Effect.valueOf(step.effect());
            if (effect != null) {
                steps.put(i, switch (effect) {
                    case DONE -> Diagram.Mark.DONE;
                    case UNCERTAIN -> Diagram.Mark.UNCERTAIN;
                    case CHECKING -> Diagram.Mark.CHECKING;
                    case COMPENSATED -> Diagram.Mark.COMPENSATED;
                    case SKIPPED -> Diagram.Mark.SKIPPED;
                });
            } else if (saga.waitingFor() != null && i == waitingAt) {
                steps.put(i, Diagram.Mark.WAITING);
            } else if (!attempts.isEmpty()) {
                steps.put(i, status == SagaStatus.RUNNING ? Diagram.Mark.RUNNING : Diagram.Mark.FAILED);
            }
            if (effect == Effect.COMPENSATED) {
                undos.put(i, Diagram.Mark.DONE);
            } else if (effect == Effect.CHECKING) {
                undos.put(i, Diagram.Mark.CHECKING);
            } else if (undoTried) {
                undos.put(i, status == SagaStatus.COMPENSATING ? Diagram.Mark.RUNNING : Diagram.Mark.FAILED);
            }
        }
        return new Diagram.Overlay(steps, undos, status);
    }
}
