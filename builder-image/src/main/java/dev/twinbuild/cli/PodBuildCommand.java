package dev.twinbuild.cli;

import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.manifest.SystemImageDocument;
import dev.twinbuild.pipeline.BuildException;
import dev.twinbuild.pipeline.BuildOptions;
import dev.twinbuild.pipeline.BuildOptions.DirOrder;
import dev.twinbuild.pipeline.BuildResult;
import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.OutputArtifact;
import dev.twinbuild.pipeline.Pipeline;
import dev.twinbuild.store.ArtifactStoreClient;
import dev.twinbuild.store.BuildSummary;
import dev.twinbuild.redaction.Redaction;
import dev.twinbuild.store.DirectoryStore;
import dev.twinbuild.store.GrantUploader;
import dev.twinbuild.store.UploadGrants;
import dev.twinbuild.store.Sha256;
import dev.twinbuild.store.StoreException;
import dev.twinbuild.store.StoredObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * One build of a verification, as the operator's builder pod runs it: build, upload the outputs and the
 * build record, and report to the operator through the termination message (a {@link BuildSummary}).
 * Whatever happens, a summary is written, so the SystemImage status can say why a build failed.
 */
@Command(name = "pod-build", mixinStandardHelpOptions = true,
        description = "Builds inside a builder pod, uploads to the artifact store and writes a summary for the operator.")
public class PodBuildCommand implements Callable<Integer> {
    @Option(names = "--manifest", required = true, paramLabel = "FILE", description = "SystemImage manifest")
    Path manifest;

    @Option(names = "--work", required = true, paramLabel = "DIR", description = "writable work root (an emptyDir)")
    Path work;

    @Option(names = "--build-path", defaultValue = "build-0", paramLabel = "REL", description = "build directory below the work root")
    String buildPath;

    @Option(names = "--clock-offset", defaultValue = "0", paramLabel = "SECONDS")
    long clockOffset;

    @Option(names = "--dir-order", defaultValue = "NATURAL", paramLabel = "ORDER")
    DirOrder dirOrder;

    @Option(names = "--threads", paramLabel = "N", description = "also the CPUs build steps may use (num_cpus variation)")
    Integer threads;

    @Option(names = "--variation", paramLabel = "NAME=VALUE", description = "recorded in the build record")
    Map<String, String> variations = new TreeMap<>();

    @Option(names = "--grants", paramLabel = "FILE",
            description = "the operator's upload grants (S3 store): presigned requests for this build's keys only")
    Path grants;

    @Option(names = "--store-prefix", paramLabel = "KEY", description = "key prefix of this build's objects (PVC store)")
    String storePrefix;

    @Option(names = "--pvc-claim")
    String pvcClaim;

    @Option(names = "--pvc-sub-path")
    String pvcSubPath;

    @Option(names = "--pvc-mount", paramLabel = "DIR", description = "where the claim (sub-path) is mounted")
    Path pvcMount;

    @Option(names = "--package-lock", paramLabel = "FILE",
            description = "the lock of the packages layers (spec.packageLock's ConfigMap, mounted); its sha256 is checked")
    Path packageLock;

    @Option(names = "--package-mirror", paramLabel = "URL",
            description = "replaces the lock's mirror in package URLs (files stay pinned by sha256)")
    String packageMirror;

    @Option(names = "--termination-log", defaultValue = "/dev/termination-log", paramLabel = "FILE")
    Path terminationLog;

    @Override
    public Integer call() throws IOException {
        BuildSummary summary;
        int exit;
        try {
            summary = buildAndUpload();
            exit = Main.OK;
        } catch (InputException e) {
            summary = BuildSummary.failed("InputError", e.getMessage());
            exit = Main.BAD_INPUT;
        } catch (BuildException e) {
            summary = BuildSummary.failed(e.reason(), e.getMessage());
            exit = e instanceof dev.twinbuild.pipeline.fetch.InputUnreachableException ? Main.UNREACHABLE : Main.FAILED;
        } catch (StoreException e) {
            summary = BuildSummary.failed(e.reason(), e.getMessage());
            exit = Main.FAILED;
        } catch (IOException | RuntimeException e) {
            summary = BuildSummary.failed("BuildError", Redaction.redact(String.valueOf(e)));
            exit = Main.FAILED;
        }
        String message = summary.toTerminationMessage(); // redacted
        Files.write(terminationLog, message.getBytes(StandardCharsets.UTF_8));
        System.out.println(message);
        return exit;
    }

    private BuildSummary buildAndUpload() throws IOException {
        SystemImageDocument doc = Manifests.read(manifest);
        // No lock beside the mounted manifest: only the one the operator mounts from spec.packageLock counts.
        doc.source = null;
        doc.lockFile = packageLock;
        doc.packageMirror = packageMirror;
        ArtifactStoreClient store = store();
        Path buildDir = work.resolve(buildPath);
        Path out = buildDir.resolve("out");
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        BuildOptions options = new BuildOptions(buildDir, work.resolve("cache"), clockOffset, dirOrder, t, threads,
                new TreeMap<>(variations));
        BuildResult result = Pipeline.build(doc, manifest.toAbsolutePath().getParent(), out, options);

        List<BuildSummary.Output> outputs = new ArrayList<>();
        for (OutputArtifact o : result.outputs()) {
            StoredObject stored = store.put(o.file(), out.resolve(o.file()), o.sha256());
            outputs.add(new BuildSummary.Output(o.format(), o.file(), o.sha256(), o.size(), stored.location()));
        }
        Path record = result.record();
        StoredObject storedRecord = store.put(record.getFileName().toString(), record, Sha256.hex(record));
        return BuildSummary.success(outputs, storedRecord.location());
    }

    private ArtifactStoreClient store() {
        if (grants != null) {
            return new GrantUploader(UploadGrants.read(grants));
        }
        if (pvcClaim != null && storePrefix != null) {
            return new DirectoryStore(pvcMount, pvcClaim, pvcSubPath, storePrefix);
        }
        throw new InputException("--grants/--pvc-claim", "no artifact store given");
    }
}
