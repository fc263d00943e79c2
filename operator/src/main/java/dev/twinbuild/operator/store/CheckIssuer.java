package dev.twinbuild.operator.store;

import dev.twinbuild.check.CheckRequest;
import dev.twinbuild.operator.api.v1alpha1.BuildOutput;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.api.v1alpha1.Mismatch;
import dev.twinbuild.store.UploadGrants;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes what a check pod may do: a presigned GET for each stored output of the generation's builds (at the
 * key the operator computed, never a location a pod reported), and for a diagnosis presigned PUTs for the
 * report files beside the builds ({@code .../<spec hash>/report/}). Nothing else in the store is reachable.
 */
public final class CheckIssuer {
    private final StoreClients clients;
    private final long maxDiffBytes;

    public CheckIssuer(StoreClients clients, long maxDiffBytes) {
        this.clients = clients;
        this.maxDiffBytes = maxDiffBytes;
    }

    /**
     * @param layouts  build index → layout
     * @param mismatch null for a read-back check only
     */
    public CheckRequest issue(String namespace, List<BuildStatus> builds, Map<Integer, BuildLayout> layouts,
                              Mismatch mismatch, Duration ttl, Instant now) {
        BuildLayout first = layouts.values().iterator().next();
        S3Access s3 = clients.s3(namespace, first.store());
        List<CheckRequest.Read> reads = new ArrayList<>();
        for (BuildStatus b : builds) {
            BuildLayout layout = layouts.get(b.index);
            for (BuildOutput o : b.outputs) {
                String key = layout.outputs().get(o.file);
                reads.add(new CheckRequest.Read(id(b.name, o.file), layout.location(key), o.sha256,
                        o.size == null ? -1 : o.size, s3.presignGet(key, ttl)));
            }
        }
        List<CheckRequest.Pair> diffs = new ArrayList<>();
        Map<String, UploadGrants.Grant> puts = new LinkedHashMap<>();
        if (mismatch != null) {
            String prefix = reportPrefix(first.prefix());
            for (Mismatch.Output o : mismatch.outputs) {
                List<String> sides = o.sha256.keySet().stream().sorted().toList();
                // The first two builds that disagree: b0 (the control) against the first that differs from it.
                String a = sides.get(0);
                String b = sides.stream().filter(x -> !Objects.equals(o.sha256.get(x), o.sha256.get(a)))
                        .findFirst().orElse(sides.size() > 1 ? sides.get(1) : null);
                if (b == null) {
                    continue; // only one build made it: nothing to diff
                }
                diffs.add(new CheckRequest.Pair(o.file, o.format, id(a, o.file), id(b, o.file)));
                for (String name : List.of(CheckRequest.diffoscopeText(o.file), CheckRequest.diffoscopeHtml(o.file))) {
                    puts.put(name, grant(s3, prefix + name, ttl));
                }
            }
            for (String name : List.of(CheckRequest.REPORT_JSON, CheckRequest.REPORT_TEXT)) {
                puts.put(name, grant(s3, prefix + name, ttl));
            }
        }
        return new CheckRequest(reads, diffs, new UploadGrants(s3.bucket(), now.plus(ttl).toString(), puts),
                maxDiffBytes);
    }

    private static UploadGrants.Grant grant(S3Access s3, String key, Duration ttl) {
        return new UploadGrants.Grant(key, s3.location(key), s3.presignPut(key, ttl), null);
    }

    static String id(String build, String file) {
        return build + "/" + file;
    }

    /** ".../<spec hash>/b0" → ".../<spec hash>/report/". */
    static String reportPrefix(String buildPrefix) {
        int slash = buildPrefix.lastIndexOf('/');
        return (slash < 0 ? "" : buildPrefix.substring(0, slash + 1)) + "report/";
    }
}
