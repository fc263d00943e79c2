package dev.twinbuild.testing;

import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.manifest.SystemImageDocument;
import dev.twinbuild.pipeline.BuildOptions;
import dev.twinbuild.pipeline.BuildResult;
import dev.twinbuild.pipeline.Hashes;
import dev.twinbuild.pipeline.Pipeline;
import dev.twinbuild.pipeline.assemble.ArchiveLimits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** Runs the pipeline in-process on a manifest given as text, with inputs placed next to it. */
public final class Builds {
    private Builds() {
    }

    /** Writes {@code bytes} as {@code name} into {@code dir} and returns its sha256. */
    public static String input(Path dir, String name, byte[] bytes) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), bytes);
        return Hashes.sha256(bytes);
    }

    public static String tarManifest(String name, String sha256, String outputs) {
        return """
                apiVersion: twinbuild.dev/v1alpha1
                kind: SystemImage
                metadata: {name: t}
                spec:
                  sourceDateEpoch: 1700000000
                  layers:
                    - tar: {url: %s, sha256: "%s"}
                  outputs: %s
                """.formatted(name, sha256, outputs);
    }

    public static BuildResult build(String yaml, Path dir, Path work, BuildOptions options) throws IOException {
        return build(yaml, dir, work, options, ArchiveLimits.DEFAULT);
    }

    public static BuildResult build(String yaml, Path dir, Path work, BuildOptions options, ArchiveLimits limits)
            throws IOException {
        SystemImageDocument doc = Manifests.parse(yaml, "test");
        return new Pipeline(limits).run(doc, dir, work.resolve("out"), options);
    }

    public static BuildResult build(String yaml, Path dir, Path work) throws IOException {
        return build(yaml, dir, work, BuildOptions.defaults(work.resolve("work")));
    }

    public static Map<String, String> digests(BuildResult r) {
        Map<String, String> m = new TreeMap<>();
        r.outputs().forEach(o -> m.put(o.file(), o.sha256()));
        return m;
    }
}
