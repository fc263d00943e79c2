package dev.twinbuild.cli;

import dev.twinbuild.diff.DiffReport;
import dev.twinbuild.diff.EntryDifference;
import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.manifest.SystemImageDocument;
import dev.twinbuild.packages.PackageFetch;
import dev.twinbuild.pipeline.OutputArtifact;
import dev.twinbuild.pipeline.Pipeline;
import dev.twinbuild.pipeline.tree.Rootfs;
import dev.twinbuild.verify.Verifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Builds verification.builds times, each in its own process and environment with the listed "
                + "variations, and compares the outputs. Exit 0 when all match, 1 when they differ.")
public class VerifyCommand implements Callable<Integer> {
    private static final int MAX_PATHS_SHOWN = 20;

    @Parameters(index = "0", paramLabel = "FILE", description = "SystemImage manifest (YAML)")
    Path manifest;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "the verified outputs, or on a mismatch every build's outputs and the diff report")
    Path out;

    @Option(names = "--work", paramLabel = "DIR", description = "work directory (default: a new temporary one, removed)")
    Path work;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "persistent cache of package files (default: $TWINBUILD_CACHE, else ~/.cache/twinbuild)")
    Path cache;

    @Option(names = "--keep-work", description = "keep the work directory")
    boolean keepWork;

    @Override
    public Integer call() throws Exception {
        SystemImageDocument doc = Manifests.read(manifest);
        boolean temporary = work == null;
        Path workRoot = temporary ? Files.createTempDirectory("twinbuild-verify-") : work;
        try {
            // The builds run offline from the shared cache, filled here from the user's (packages layers).
            PackageFetch.prefetch(doc, manifest, cache != null ? cache : PackageFetch.userCache(),
                    workRoot.resolve("cache"));
            Verifier.Result result = new Verifier().verify(manifest, doc, workRoot);
            Files.createDirectories(out);
            for (Verifier.Run r : result.runs()) {
                System.out.println("build " + r.set().index() + ": " + (r.set().applied().isEmpty() ? "control"
                        : r.set().applied().keySet()) + (r.notApplied().isEmpty() ? "" : " — not applied: "
                        + r.notApplied()));
            }
            if (result.reproducible()) {
                Verifier.Run control = result.runs().get(0);
                copy(control, out);
                for (OutputArtifact o : control.outputs()) {
                    System.out.println(o.sha256() + "  " + o.file());
                }
                System.out.println("reproducible: " + result.runs().size() + " builds agree on "
                        + control.outputs().size() + " outputs");
                return Main.OK;
            }
            for (Verifier.Run r : result.runs()) {
                copy(r, out.resolve("build-" + r.set().index()));
            }
            StringBuilder text = new StringBuilder();
            for (DiffReport d : result.diffs()) {
                text.append(d.toText()).append('\n');
                System.out.println("unreproducible: " + Path.of(d.a).getFileName() + " differs ("
                        + d.shaA.substring(0, 12) + " vs " + d.shaB.substring(0, 12) + ")");
                List<EntryDifference> entries = d.entries;
                for (EntryDifference e : entries.subList(0, Math.min(MAX_PATHS_SHOWN, entries.size()))) {
                    System.out.println("  " + e.path() + ": " + String.join(", ", e.kinds()));
                    e.details().forEach(line -> System.out.println("      " + line.replace("\n", "\n      ")));
                    if (!e.nested().isEmpty()) {
                        System.out.println("      inside it: " + e.nested().size() + " differing entries (see the report)");
                    }
                }
                if (entries.size() > MAX_PATHS_SHOWN) {
                    System.out.println("  … and " + (entries.size() - MAX_PATHS_SHOWN) + " more paths");
                }
                if (d.orderDiffers) {
                    System.out.println("  entry order differs");
                }
            }
            Files.writeString(out.resolve("diff-report.txt"), text.toString());
            Files.write(out.resolve("diff-report.json"), Manifests.canonicalJson(result.diffs()));
            System.out.println("report: " + out.resolve("diff-report.txt"));
            return Main.DIFFERS;
        } finally {
            if (temporary && !keepWork) {
                Rootfs.deleteTree(workRoot);
            }
        }
    }

    private static void copy(Verifier.Run r, Path to) throws Exception {
        Files.createDirectories(to);
        for (OutputArtifact o : r.outputs()) {
            Files.copy(r.outDir().resolve(o.file()), to.resolve(o.file()), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.copy(r.outDir().resolve(Pipeline.RECORD_FILE), to.resolve(Pipeline.RECORD_FILE),
                StandardCopyOption.REPLACE_EXISTING);
    }
}
