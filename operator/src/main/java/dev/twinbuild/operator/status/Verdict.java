package dev.twinbuild.operator.status;

import dev.twinbuild.operator.api.v1alpha1.Artifact;
import dev.twinbuild.operator.api.v1alpha1.BuildOutput;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.api.v1alpha1.Mismatch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares the outputs of finished builds. Outputs are matched by format and file name; the verdict is
 * "reproducible" only when every build produced the same set with the same digests.
 *
 * @param artifacts for a match, the control build's outputs; for a mismatch, every distinct copy, so
 *                  that both sides stay available for diagnosis
 */
public record Verdict(boolean reproducible, List<Artifact> artifacts, Mismatch mismatch) {

    public static Verdict of(List<BuildStatus> builds) {
        Map<String, Map<String, BuildOutput>> byKey = new LinkedHashMap<>(); // key -> build name -> output
        for (BuildStatus b : builds) {
            for (BuildOutput o : b.outputs) {
                byKey.computeIfAbsent(key(o), k -> new LinkedHashMap<>()).put(b.name, o);
            }
        }
        Mismatch mismatch = new Mismatch();
        List<Artifact> artifacts = new ArrayList<>();
        for (Map<String, BuildOutput> copies : byKey.values()) {
            Set<String> digests = new LinkedHashSet<>();
            copies.values().forEach(o -> digests.add(o.sha256));
            boolean same = digests.size() == 1 && copies.size() == builds.size();
            if (!same) {
                BuildOutput first = copies.values().iterator().next();
                Mismatch.Output m = new Mismatch.Output();
                m.format = first.format;
                m.file = first.file;
                copies.forEach((build, o) -> m.sha256.put(build, o.sha256));
                mismatch.outputs.add(m);
            }
            Set<String> seen = new LinkedHashSet<>();
            copies.forEach((build, o) -> {
                if (seen.add(o.sha256)) {
                    artifacts.add(new Artifact(o.format, o.file, o.sha256, o.size, o.location, build));
                }
            });
        }
        boolean reproducible = mismatch.outputs.isEmpty() && !byKey.isEmpty();
        return new Verdict(reproducible, artifacts, reproducible ? null : mismatch);
    }

    private static String key(BuildOutput o) {
        return o.format + "\u0000" + o.file;
    }

    /** "tar.gz (b0 1a2b3c4d…, b1 5e6f7a8b…)" for messages and events. */
    public String describeMismatch() {
        if (mismatch == null) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (Mismatch.Output o : mismatch.outputs) {
            List<String> digests = new ArrayList<>();
            o.sha256.forEach((b, d) -> digests.add(b + " " + d.substring(0, Math.min(12, d.length()))));
            parts.add(o.file + " (" + String.join(", ", digests) + ")");
        }
        return String.join("; ", parts);
    }
}
