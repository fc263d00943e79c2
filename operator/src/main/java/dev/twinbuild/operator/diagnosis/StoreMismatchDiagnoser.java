package dev.twinbuild.operator.diagnosis;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.diff.ArchiveDiff;
import dev.twinbuild.diff.DiffReport;
import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.operator.api.v1alpha1.Artifact;
import dev.twinbuild.operator.api.v1alpha1.Mismatch;
import dev.twinbuild.operator.store.StoreClients;
import dev.twinbuild.pipeline.tree.Rootfs;
import dev.twinbuild.redaction.Redaction;
import dev.twinbuild.operator.store.S3Access;
import dev.twinbuild.store.Sha256;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Fetches both sides of each differing output from the S3 store, diffs them entry by entry with the
 * builder's own differ, and stores the report beside the builds ({@code .../<spec hash>/report/}).
 * Outputs above {@code maxBytes} are not fetched: their digests stay the only evidence.
 */
public class StoreMismatchDiagnoser implements MismatchDiagnoser {
    static final int MAX_PATHS = 50;
    private static final Logger LOG = Logger.getLogger(StoreMismatchDiagnoser.class);

    private final StoreClients clients;
    private final long maxBytes;

    public StoreMismatchDiagnoser(StoreClients clients, long maxBytes) {
        this.clients = clients;
        this.maxBytes = maxBytes;
    }

    @Override
    public void diagnose(String namespace, ArtifactStore store, Mismatch mismatch, List<Artifact> artifacts) {
        if (store.s3 == null || mismatch == null) {
            return;
        }
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("twinbuild-diff-");
            S3Access s3 = clients.s3(namespace, store);
            List<DiffReport> reports = new ArrayList<>();
            Set<String> paths = new LinkedHashSet<>();
            String reportBase = null;
            for (Mismatch.Output o : mismatch.outputs) {
                List<Artifact> sides = artifacts.stream()
                        .filter(a -> Objects.equals(a.file, o.file) && Objects.equals(a.format, o.format)).toList();
                if (sides.size() < 2 || sides.get(0).size > maxBytes || sides.get(1).size > maxBytes) {
                    continue;
                }
                Path a = fetch(s3, sides.get(0), tmp.resolve(sides.get(0).build + "-" + o.file));
                Path b = fetch(s3, sides.get(1), tmp.resolve(sides.get(1).build + "-" + o.file));
                DiffReport r = ArchiveDiff.diff(a, b);
                r.a = sides.get(0).location;
                r.b = sides.get(1).location;
                reports.add(r);
                paths.addAll(r.nestedPaths());
                reportBase = reportBase != null ? reportBase : reportPrefix(s3, sides.get(0).location);
            }
            // Entry names come from tenant archives: bounded like every status string (CRD maxLength 4096).
            mismatch.differingPaths = paths.stream().limit(MAX_PATHS)
                    .map(p -> p.length() > 4096 ? p.substring(0, 4095) + "…" : p).toList();
            mismatch.differingPathCount = paths.size() > MAX_PATHS ? paths.size() : null;
            if (reportBase != null) {
                StringBuilder text = new StringBuilder();
                reports.forEach(r -> text.append(r.toText()).append('\n'));
                Path txt = tmp.resolve("diff-report.txt");
                Files.writeString(txt, text.toString());
                Path json = tmp.resolve("diff-report.json");
                Files.write(json, Manifests.canonicalJson(reports));
                s3.put(reportBase + "diff-report.json", json, Sha256.hex(json));
                mismatch.reportLocation = s3.put(reportBase + "diff-report.txt", txt, Sha256.hex(txt)).location();
            }
        } catch (RuntimeException | IOException e) {
            LOG.warnf("no diff report for %s: %s", mismatch.outputs, Redaction.redact(e.toString()));
        } finally {
            if (tmp != null) {
                try {
                    Rootfs.deleteTree(tmp);
                } catch (IOException e) {
                    LOG.debugf("leaving %s: %s", tmp, e);
                }
            }
        }
    }

    private static Path fetch(S3Access s3, Artifact artifact, Path to) throws IOException {
        try (InputStream in = s3.get(key(s3, artifact.location))) {
            Files.copy(in, to);
        }
        return to;
    }

    private static String key(S3Access s3, String location) {
        String prefix = "s3://" + s3.bucket() + "/";
        if (!location.startsWith(prefix)) {
            throw new IllegalArgumentException(location + " is not in bucket " + s3.bucket());
        }
        return location.substring(prefix.length());
    }

    /** ".../<spec hash>/b0/img.tar" → ".../<spec hash>/report/". */
    static String reportPrefix(S3Access s3, String location) {
        String key = key(s3, location);
        String buildDir = key.substring(0, Math.max(0, key.lastIndexOf('/')));
        String specDir = buildDir.substring(0, Math.max(0, buildDir.lastIndexOf('/')));
        return (specDir.isEmpty() ? "" : specDir + "/") + "report/";
    }
}
