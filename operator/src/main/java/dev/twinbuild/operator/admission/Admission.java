package dev.twinbuild.operator.admission;

import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.config.QueueLimits;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Admission of SystemImages to build, under the {@link QueueLimits}. What builds is read from the cluster
 * each time (the informer caches: SystemImages whose status records started builds, builder pods by owner),
 * so a restarted operator counts the same; in memory are only the admissions of this process that the
 * caches may not show yet (two reconcile threads must not both take the last slot). When a SystemImage
 * reaches its verdict, or a builder pod goes away, the SystemImages that may start now are reconciled at
 * once rather than at the next resync.
 */
public final class Admission {
    /**
     * @param position          the place in the queue (1-based), 0 when admitted
     * @param waiting           how many wait in all
     * @param building          SystemImages building cluster-wide
     * @param buildingNamespace SystemImages building in this one's namespace
     */
    public record Ticket(boolean admitted, int position, int waiting, int building, int buildingNamespace) {
        static final Ticket ADMITTED = new Ticket(true, 0, 0, 0, 0);
    }

    private static final String KIND = HasMetadata.getKind(SystemImage.class);

    private final BuildQueue queue;
    private final Set<String> reserved = ConcurrentHashMap.newKeySet();
    /**
     * SystemImages this process wrote a verdict for (key → generation). The status patch goes into JOSDK's
     * temporary cache, but the informer cache the plan lists catches up only with the watch event: until it
     * does, these count as done — else the promotion right after a verdict sees the old status, admits
     * nobody, and the next in line waits for a later event or its 30 s refresh.
     */
    private final java.util.Map<String, Long> finishedGenerations = new ConcurrentHashMap<>();
    private volatile Supplier<Stream<SystemImage>> images = Stream::empty;
    private volatile Supplier<Stream<Pod>> pods = Stream::empty;
    private volatile Consumer<ResourceID> trigger = id -> { };

    public Admission(QueueLimits limits) {
        this.queue = new BuildQueue(limits);
    }

    /** @param trigger makes the controller reconcile a SystemImage soon (an inbound event) */
    public void watch(Supplier<Stream<SystemImage>> images, Supplier<Stream<Pod>> pods, Consumer<ResourceID> trigger) {
        this.images = images;
        this.pods = pods;
        this.trigger = trigger;
    }

    public QueueLimits limits() {
        return queue.limits();
    }

    /**
     * @param started whether its builds of the current spec have begun (pods exist or are recorded): a
     *                started SystemImage keeps its slot until the verdict
     */
    public synchronized Ticket admit(SystemImage si, boolean started) {
        String key = key(si);
        if (started || reserved.contains(key)) {
            return Ticket.ADMITTED;
        }
        BuildQueue.Plan plan = plan(si);
        String ns = si.getMetadata().getNamespace();
        String name = si.getMetadata().getName();
        if (plan.admits(ns, name)) {
            reserved.add(key);
            return Ticket.ADMITTED;
        }
        return new Ticket(false, plan.position(ns, name), plan.waiting(), plan.active(),
                plan.perNamespace().getOrDefault(ns, 0));
    }

    /** Its builds are over (a verdict, a failure) or it was deleted: its slot goes to the next in line. */
    public void finished(SystemImage si) {
        reserved.remove(key(si));
        finishedGenerations.put(key(si), generation(si));
        promote();
    }

    /** Reconciles, soon, each waiting SystemImage that may start now. */
    public void promote() {
        List<BuildQueue.Entry> next;
        synchronized (this) {
            next = plan(null).admitted();
        }
        next.forEach(e -> trigger.accept(new ResourceID(e.name(), e.namespace())));
    }

    /** @param self the SystemImage asking (counted as waiting, whatever the cache says), or null */
    private BuildQueue.Plan plan(SystemImage self) {
        Set<String> owners = new HashSet<>();
        pods.get().forEach(p -> {
            for (OwnerReference r : p.getMetadata().getOwnerReferences()) {
                if (Boolean.TRUE.equals(r.getController()) && KIND.equals(r.getKind())) {
                    owners.add(r.getUid());
                }
            }
        });
        List<BuildQueue.Entry> entries = new ArrayList<>();
        Set<String> cached = new HashSet<>();
        images.get().forEach(si -> {
            String key = key(si);
            cached.add(key);
            if (self != null && key.equals(key(self))) {
                return;
            }
            if (done(si)) {
                reserved.remove(key); // a verdict written outside reconcile() (the error-status handler)
                finishedGenerations.remove(key); // the cache has caught up
                return;
            }
            if (Objects.equals(finishedGenerations.get(key), generation(si))) {
                return; // its verdict is written; the cache does not show it yet
            }
            boolean active = reserved.contains(key) || recordedBuilds(si.getStatus())
                    || owners.contains(si.getMetadata().getUid());
            entries.add(entry(si, active));
        });
        reserved.retainAll(cached); // deleted SystemImages
        finishedGenerations.keySet().retainAll(cached);
        if (self != null) {
            entries.add(entry(self, false));
        }
        return queue.plan(entries);
    }

    /**
     * The verdict on its current generation is written and no re-verification runs: it neither builds nor
     * waits. A running re-verification holds a build slot like a first round (its builds are recorded).
     */
    static boolean done(SystemImage si) {
        SystemImageStatus s = si.getStatus();
        return s != null && s.phase != null && s.phase.isFinal()
                && Objects.equals(s.observedGeneration, si.getMetadata().getGeneration())
                && (s.reverification == null || !s.reverification.running());
    }

    private static boolean recordedBuilds(SystemImageStatus s) {
        return s != null && s.queuePosition == null && s.builds != null
                && s.builds.stream().anyMatch(b -> b.attemptsOrZero() > 0);
    }

    private static long generation(SystemImage si) {
        return si.getMetadata().getGeneration() == null ? 0 : si.getMetadata().getGeneration();
    }

    private static BuildQueue.Entry entry(SystemImage si, boolean active) {
        String created = si.getMetadata().getCreationTimestamp();
        return new BuildQueue.Entry(si.getMetadata().getNamespace(), si.getMetadata().getName(),
                created == null ? null : Instant.parse(created), active);
    }

    private static String key(SystemImage si) {
        return si.getMetadata().getNamespace() + "/" + si.getMetadata().getName();
    }
}
