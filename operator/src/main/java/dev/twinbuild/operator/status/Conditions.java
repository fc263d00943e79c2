package dev.twinbuild.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** kstatus-compatible conditions; lastTransitionTime only moves when the status value changes. */
public final class Conditions {
    public static final String READY = "Ready";
    public static final String RECONCILING = "Reconciling";
    public static final String STALLED = "Stalled";
    public static final String REPRODUCIBLE = "Reproducible";

    private final List<Condition> previous;
    private final List<Condition> next = new ArrayList<>();
    private final long generation;
    private final Instant now;

    public Conditions(List<Condition> previous, long generation, Instant now) {
        this.previous = previous == null ? List.of() : previous;
        this.generation = generation;
        this.now = now;
    }

    public Conditions set(String type, boolean status, String reason, String message) {
        return set(type, status ? "True" : "False", reason, message);
    }

    public Conditions set(String type, String status, String reason, String message) {
        String since = previous.stream()
                .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime).findFirst().orElse(now.toString());
        next.removeIf(c -> type.equals(c.getType()));
        next.add(new ConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withMessage(message == null ? "" : message).withObservedGeneration(generation)
                .withLastTransitionTime(since).build());
        return this;
    }

    /** Sorted by type, so that the status is byte-stable between reconciliations. */
    public List<Condition> build() {
        List<Condition> out = new ArrayList<>(next);
        out.sort(Comparator.comparing(Condition::getType));
        return out;
    }

    public static String status(List<Condition> conditions, String type) {
        return conditions == null ? null : conditions.stream().filter(c -> type.equals(c.getType()))
                .map(Condition::getStatus).findFirst().orElse(null);
    }

    public static String reason(List<Condition> conditions, String type) {
        return conditions == null ? null : conditions.stream().filter(c -> type.equals(c.getType()))
                .map(Condition::getReason).findFirst().orElse(null);
    }
}
