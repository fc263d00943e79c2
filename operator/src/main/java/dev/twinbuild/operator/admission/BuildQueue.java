package dev.twinbuild.operator.admission;

import dev.twinbuild.operator.config.QueueLimits;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Who may build now and who waits, as a pure function of the SystemImages that build or want to build.
 * First come, first served by creation time, with per-namespace fairness: a SystemImage's turn is counted
 * by how many builds its namespace would then have running, so a namespace that applies a hundred
 * SystemImages at once does not push back one applied a second later elsewhere. A namespace at its own
 * limit does not hold up the others.
 */
public final class BuildQueue {
    /** @param active whether it builds already (pods, recorded builds, or admitted by this operator) */
    public record Entry(String namespace, String name, Instant created, boolean active) {
        String key() {
            return namespace + "/" + name;
        }
    }

    /**
     * @param admitted   waiting entries that may start now, in queue order
     * @param positions  the place (1-based) of every entry that still waits, by {@code namespace/name}
     * @param active     entries building now, cluster-wide
     * @param perNamespace entries building now, by namespace
     */
    public record Plan(List<Entry> admitted, Map<String, Integer> positions, int active,
                       Map<String, Integer> perNamespace) {
        public boolean admits(String namespace, String name) {
            return admitted.stream().anyMatch(e -> e.namespace().equals(namespace) && e.name().equals(name));
        }

        /** @return the place in the queue, or 0 when it is admitted or not waiting */
        public int position(String namespace, String name) {
            return positions.getOrDefault(namespace + "/" + name, 0);
        }

        public int waiting() {
            return positions.size();
        }
    }

    private static final Comparator<Entry> ARRIVAL = Comparator
            .comparing(Entry::created, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(Entry::namespace).thenComparing(Entry::name);

    private final QueueLimits limits;

    public BuildQueue(QueueLimits limits) {
        this.limits = limits;
    }

    public Plan plan(Collection<Entry> entries) {
        Map<String, Integer> running = new TreeMap<>();
        Map<String, List<Entry>> waitingByNamespace = new TreeMap<>();
        int active = 0;
        for (Entry e : entries) {
            if (e.active()) {
                running.merge(e.namespace(), 1, Integer::sum);
                active++;
            } else {
                waitingByNamespace.computeIfAbsent(e.namespace(), k -> new ArrayList<>()).add(e);
            }
        }
        // The k-th waiting entry of a namespace would be its namespace's (running + k + 1)-th build.
        Map<Entry, Integer> turn = new HashMap<>();
        List<Entry> order = new ArrayList<>();
        for (var ns : waitingByNamespace.entrySet()) {
            List<Entry> waiting = ns.getValue();
            waiting.sort(ARRIVAL);
            int base = running.getOrDefault(ns.getKey(), 0);
            for (int k = 0; k < waiting.size(); k++) {
                turn.put(waiting.get(k), base + k);
                order.add(waiting.get(k));
            }
        }
        order.sort(Comparator.<Entry>comparingInt(turn::get).thenComparing(ARRIVAL));

        int free = limits.maxBuilding() == 0 ? Integer.MAX_VALUE : limits.maxBuilding() - active;
        Map<String, Integer> taken = new HashMap<>(running);
        List<Entry> admitted = new ArrayList<>();
        Map<String, Integer> positions = new LinkedHashMap<>();
        for (Entry e : order) {
            int inNamespace = taken.getOrDefault(e.namespace(), 0);
            boolean nsFree = limits.maxBuildingPerNamespace() == 0 || inNamespace < limits.maxBuildingPerNamespace();
            if (free > 0 && nsFree) {
                admitted.add(e);
                taken.put(e.namespace(), inNamespace + 1);
                free--;
            } else {
                positions.put(e.key(), positions.size() + 1);
            }
        }
        return new Plan(List.copyOf(admitted), positions, active, running);
    }

    public QueueLimits limits() {
        return limits;
    }
}
