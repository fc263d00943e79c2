package dev.twinbuild.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.twinbuild.diff.ArchiveDiff;
import dev.twinbuild.diff.DiffReport;
import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.manifest.SystemImageDocument;
import dev.twinbuild.pipeline.BuildException;
import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.OutputArtifact;
import dev.twinbuild.pipeline.Pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.attribute.PosixFilePermissions;

/** Builds a manifest several times under different variations and compares every output. */
public final class Verifier {
    /** One build's outcome. */
    public record Run(VariationSet set, Path outDir, List<OutputArtifact> outputs, List<String> notApplied) {
    }

    /** @param diffs one report per differing output of a build against build 0 */
    public record Result(List<Run> runs, List<DiffReport> diffs) {
        public boolean reproducible() {
            return diffs.isEmpty();
        }
    }

    public Result verify(Path manifest, SystemImageDocument doc, Path workRoot) throws IOException,
            InterruptedException {
        List<VariationSet> plan = VariationPlan.plan(doc.spec.verificationOrDefault().variationsOrDefault(),
                doc.spec.verificationOrDefault().buildsOrDefault());
        Path cache = workRoot.resolve("cache");
        Files.createDirectories(cache.resolve("sha256"));
        // Builds under another uid read the cache that build 0 filled.
        for (Path p : new Path[]{workRoot, cache, cache.resolve("sha256")}) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(p.equals(workRoot) ? "rwxr-xr-x"
                    : "rwxrwxrwx"));
        }
        Files.createDirectories(workRoot.resolve("logs"));
        List<Run> runs = new ArrayList<>();
        for (VariationSet set : plan) {
            ChildBuild child = new ChildBuild(set, manifest.toAbsolutePath(), workRoot, cache);
            Path log = workRoot.resolve("logs").resolve("build-" + set.index() + ".log");
            int exit = child.start(log).waitFor();
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (exit == 2) {
                throw new InputException(manifest.toString(), lastLines(output).replaceFirst("^twinbuild: error: ", ""));
            }
            if (exit != 0) {
                throw new BuildException("BuildFailed", "build " + set.index() + " exited " + exit + ":\n"
                        + lastLines(output));
            }
            runs.add(new Run(set, child.outDir(), outputs(child.outDir()), child.notApplied));
        }
        List<DiffReport> diffs = new ArrayList<>();
        Run control = runs.get(0);
        for (Run r : runs.subList(1, runs.size())) {
            for (int i = 0; i < control.outputs().size(); i++) {
                OutputArtifact a = control.outputs().get(i);
                OutputArtifact b = r.outputs().get(i);
                if (!a.sha256().equals(b.sha256())) {
                    diffs.add(ArchiveDiff.diff(control.outDir().resolve(a.file()), r.outDir().resolve(b.file())));
                }
            }
        }
        return new Result(runs, diffs);
    }

    private static List<OutputArtifact> outputs(Path outDir) throws IOException {
        JsonNode record = Manifests.json().readTree(outDir.resolve(Pipeline.RECORD_FILE).toFile());
        List<OutputArtifact> list = new ArrayList<>();
        for (JsonNode o : record.path("outputs")) {
            list.add(Manifests.json().treeToValue(o, OutputArtifact.class));
        }
        return list;
    }

    private static String lastLines(String s) {
        String[] lines = s.strip().split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 15), lines.length));
    }

}
