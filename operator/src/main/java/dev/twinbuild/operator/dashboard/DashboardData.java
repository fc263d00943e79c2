package dev.twinbuild.operator.dashboard;

import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.api.v1alpha1.Phase;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.cache.ImageCache;
import dev.twinbuild.operator.status.Conditions;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Views of the SystemImages in the operator's cache that a viewer may see; no API call per request. */
public class DashboardData {
    /** Failures first, then work in progress, then the reproducible ones. */
    private static final List<String> ORDER = List.of("Unreproducible", "Failed", "Building", "Pending", "New",
            "Reproducible");

    private final ImageCache cache;

    public DashboardData(ImageCache cache) {
        this.cache = cache;
    }

    private Stream<SystemImage> visible(Predicate<String> namespaces) {
        return cache.list().filter(si -> namespaces.test(si.getMetadata().getNamespace()));
    }

    public Views.Overview overview(String viewer, Predicate<String> namespaces) {
        List<SystemImage> images = visible(namespaces).sorted(Comparator
                .comparing((SystemImage si) -> ORDER.indexOf(verdict(si)))
                .thenComparing(si -> si.getMetadata().getNamespace())
                .thenComparing(si -> si.getMetadata().getName())).toList();
        Map<String, List<SystemImage>> byNamespace = new TreeMap<>();
        images.forEach(si -> byNamespace.computeIfAbsent(si.getMetadata().getNamespace(), k -> new ArrayList<>()).add(si));
        List<Views.Headline> perNamespace = byNamespace.entrySet().stream()
                .map(e -> headline(e.getKey(), e.getValue())).toList();
        return new Views.Overview(viewer, headline(null, images), perNamespace,
                images.stream().map(DashboardData::row).toList(), revision(images));
    }

    /** Null when the image does not exist or the viewer may not see its namespace. */
    public Views.Detail detail(String namespace, String name, Predicate<String> namespaces) {
        if (!namespaces.test(namespace)) {
            return null;
        }
        SystemImage si = cache.list().filter(x -> namespace.equals(x.getMetadata().getNamespace())
                && name.equals(x.getMetadata().getName())).findFirst().orElse(null);
        if (si == null) {
            return null;
        }
        SystemImageStatus s = si.getStatus() == null ? new SystemImageStatus() : si.getStatus();
        List<Views.Condition> conditions = s.conditions.stream().map(c -> new Views.Condition(c.getType(),
                c.getStatus(), c.getReason(), c.getMessage(), c.getLastTransitionTime())).toList();
        List<Views.Build> builds = s.builds.stream().map(DashboardData::build).toList();
        List<Views.Artifact> artifacts = s.artifacts.stream().map(a -> new Views.Artifact(a.format, a.file, a.sha256,
                a.size, a.location, a.build)).toList();
        Views.Mismatch mismatch = s.mismatch == null ? null : new Views.Mismatch(
                s.mismatch.outputs.stream().map(o -> new Views.DifferingOutput(o.format, o.file, o.sha256)).toList(),
                s.mismatch.differingPaths, s.mismatch.reportLocation, s.mismatch.reportLocation == null ? null
                : "/namespaces/" + namespace + "/systemimages/" + name + "/report");
        return new Views.Detail(row(si), s.specHash, conditions, builds, artifacts, mismatch, revision(List.of(si)));
    }

    /** The raw object, for serving the report it names. */
    public SystemImage get(String namespace, String name) {
        return cache.list().filter(x -> namespace.equals(x.getMetadata().getNamespace())
                && name.equals(x.getMetadata().getName())).findFirst().orElse(null);
    }

    static String verdict(SystemImage si) {
        Phase p = si.getStatus() == null ? null : si.getStatus().phase;
        return p == null ? "New" : p.name();
    }

    private static Views.Headline headline(String namespace, List<SystemImage> images) {
        int ok = 0;
        int bad = 0;
        int failed = 0;
        for (SystemImage si : images) {
            switch (verdict(si)) {
                case "Reproducible" -> ok++;
                case "Unreproducible" -> bad++;
                case "Failed" -> failed++;
                default -> { }
            }
        }
        double pct = images.isEmpty() ? 0 : Math.round(1000.0 * ok / images.size()) / 10.0;
        return new Views.Headline(namespace, images.size(), ok, bad, failed, images.size() - ok - bad - failed, pct);
    }

    private static Views.Row row(SystemImage si) {
        SystemImageStatus s = si.getStatus();
        List<String> nodes = s == null ? List.of() : s.builds.stream().map(b -> b.node).filter(Objects::nonNull)
                .distinct().toList();
        List<String> variations = s == null ? List.of() : s.builds.stream().flatMap(b -> b.variations.keySet().stream())
                .distinct().sorted().toList();
        String message = s == null ? "waiting for the operator" : message(s);
        String lastVerified = s == null || s.phase == null || !s.phase.isFinal() ? null
                : s.conditions.stream().filter(c -> Conditions.RECONCILING.equals(c.getType()))
                .map(io.fabric8.kubernetes.api.model.Condition::getLastTransitionTime).findFirst().orElse(null);
        return new Views.Row(si.getMetadata().getNamespace(), si.getMetadata().getName(), verdict(si), message,
                s == null ? null : s.digest, nodes, variations, lastVerified, si.getMetadata().getCreationTimestamp(),
                si.getMetadata().getGeneration() == null ? 0 : si.getMetadata().getGeneration(),
                s == null ? null : s.observedGeneration);
    }

    /** Stalled says why a final or stuck image is where it is; otherwise Ready says how far it got. */
    private static String message(SystemImageStatus s) {
        String stalled = "True".equals(Conditions.status(s.conditions, Conditions.STALLED)) ? Conditions.STALLED
                : Conditions.READY;
        return s.conditions.stream().filter(c -> stalled.equals(c.getType()))
                .map(io.fabric8.kubernetes.api.model.Condition::getMessage).findFirst().orElse("");
    }

    private static Views.Build build(BuildStatus b) {
        Long seconds = b.startTime == null || b.completionTime == null ? null
                : Duration.between(Instant.parse(b.startTime), Instant.parse(b.completionTime)).toSeconds();
        return new Views.Build(b.name, b.pod, b.node, b.phaseOrPending().name(), b.attempts, b.variations,
                b.startTime, b.completionTime, seconds, b.outputs.stream().map(o -> new Views.Output(o.format,
                o.file, o.sha256, o.size, o.location)).toList(), b.record,
                b.failure == null ? null : b.failure.reason + ": " + b.failure.message);
    }

    /** Changes when any shown object changes (resourceVersion), is added or removed. */
    private static String revision(List<SystemImage> images) {
        StringBuilder keys = new StringBuilder();
        images.stream().map(si -> si.getMetadata().getNamespace() + "/" + si.getMetadata().getName() + "@"
                + si.getMetadata().getResourceVersion()).sorted().forEach(k -> keys.append(k).append('\n'));
        return sha256(keys.toString()).substring(0, 16);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
