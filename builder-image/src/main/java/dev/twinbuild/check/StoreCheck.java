package dev.twinbuild.check;

import dev.twinbuild.diff.ArchiveDiff;
import dev.twinbuild.diff.DiffReport;
import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.pipeline.fetch.HttpGet;
import dev.twinbuild.pipeline.fetch.InputUnreachableException;
import dev.twinbuild.pipeline.fetch.Retry;
import dev.twinbuild.store.ArtifactStoreClient;
import dev.twinbuild.store.Sha256;
import dev.twinbuild.store.StoreException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The work of a check pod: read every stored copy back through its presigned GET and compare it with the
 * digest its build reported (the store must hold exactly those bytes); then, for each differing output,
 * diff the two sides with Twinbuild's own differ and with diffoscope, and store the reports through the
 * PUT grants. Everything is written below {@code scratch}, the pod's own volume.
 */
public final class StoreCheck {
    private final HttpGet http;
    private final Diffoscope diffoscope;

    public StoreCheck(Diffoscope diffoscope) {
        this(new HttpGet(Retry.DEFAULT), diffoscope);
    }

    StoreCheck(HttpGet http, Diffoscope diffoscope) {
        this.http = http;
        this.diffoscope = diffoscope;
    }

    public CheckSummary run(CheckRequest request, Path scratch, ArtifactStoreClient reports) throws IOException {
        Set<String> diffed = new LinkedHashSet<>();
        request.diffs().forEach(p -> {
            diffed.add(p.a());
            diffed.add(p.b());
        });
        Map<String, Path> fetched = new TreeMap<>();
        int verified = 0;
        for (int i = 0; i < request.reads().size(); i++) {
            CheckRequest.Read r = request.reads().get(i);
            Path keep = null;
            if (diffed.contains(r.id()) && r.size() <= request.maxDiffBytes()) {
                keep = Files.createDirectories(scratch.resolve("r" + i)).resolve(fileName(r.location()));
            }
            Sha256.Counted got;
            try {
                got = read(r, keep);
            } catch (StoreException e) {
                return CheckSummary.failed(verified, e.reason(), e.getMessage());
            }
            if (!got.sha256().equals(r.sha256()) || (r.size() >= 0 && got.size() != r.size())) {
                return CheckSummary.failed(verified, StoreException.DIGEST_MISMATCH, r.location() + " holds "
                        + got.size() + " bytes with sha256 " + got.sha256() + "; the build reported " + r.size()
                        + " bytes with sha256 " + r.sha256());
            }
            verified++;
            if (keep != null) {
                fetched.put(r.id(), keep);
            }
        }
        if (request.diffs().isEmpty()) {
            return new CheckSummary(verified, null, null, null, null, null);
        }
        return diagnose(request, fetched, verified, scratch, reports);
    }

    private CheckSummary diagnose(CheckRequest request, Map<String, Path> fetched, int verified, Path scratch,
                                  ArtifactStoreClient reports) throws IOException {
        Map<String, String> locations = new TreeMap<>();
        Set<String> paths = new LinkedHashSet<>();
        List<DiffReport> diffs = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Path out = Files.createDirectories(scratch.resolve("reports"));
        for (CheckRequest.Pair pair : request.diffs()) {
            Path a = fetched.get(pair.a());
            Path b = fetched.get(pair.b());
            if (a == null || b == null) {
                notes.add(pair.file() + ": larger than " + request.maxDiffBytes() + " bytes, not diffed");
                continue;
            }
            DiffReport r = ArchiveDiff.diff(a, b);
            r.a = location(request, pair.a());
            r.b = location(request, pair.b());
            diffs.add(r);
            paths.addAll(r.nestedPaths());
            Path text = out.resolve(CheckRequest.diffoscopeText(pair.file()));
            Path html = out.resolve(CheckRequest.diffoscopeHtml(pair.file()));
            String why = diffoscope.compare(a, b, text, html, Files.createDirectories(scratch.resolve("ds-" + pair.file())));
            if (why != null) {
                notes.add(pair.file() + ": " + why);
            }
            for (Path report : List.of(text, html)) {
                if (Files.exists(report)) {
                    String name = report.getFileName().toString();
                    locations.put(name, reports.put(name, report, Sha256.hex(report)).location());
                }
            }
        }
        StringBuilder text = new StringBuilder();
        diffs.forEach(r -> text.append(r.toText()).append('\n'));
        Path txt = out.resolve(CheckRequest.REPORT_TEXT);
        Files.writeString(txt, text.toString());
        Path json = out.resolve(CheckRequest.REPORT_JSON);
        Files.write(json, Manifests.canonicalJson(diffs));
        locations.put(CheckRequest.REPORT_JSON, reports.put(CheckRequest.REPORT_JSON, json, Sha256.hex(json)).location());
        locations.put(CheckRequest.REPORT_TEXT, reports.put(CheckRequest.REPORT_TEXT, txt, Sha256.hex(txt)).location());
        return new CheckSummary(verified, null, List.copyOf(paths), paths.size(), locations,
                notes.isEmpty() ? null : String.join("; ", notes));
    }

    /** Streams the object through SHA-256, into {@code keep} when the side is diffed. */
    private Sha256.Counted read(CheckRequest.Read r, Path keep) {
        HttpGet.Result<Sha256.Counted> result;
        try {
            result = http.get(URI.create(r.get()), Map.of(), r.location(), in -> hash(in, keep));
        } catch (InputUnreachableException e) {
            throw new StoreException(StoreException.UNREACHABLE, "read back " + r.location() + ": " + e.getMessage());
        } catch (IOException e) {
            throw new StoreException(StoreException.UNREACHABLE, "read back " + r.location() + ": " + e);
        }
        if (result.refused() != null) {
            int status = result.refused().status();
            throw new StoreException(status == 404 ? StoreException.NOT_FOUND : StoreException.REJECTED,
                    "read back " + r.location() + ": HTTP " + status);
        }
        return result.value();
    }

    private static Sha256.Counted hash(InputStream in, Path keep) throws IOException {
        MessageDigest md = Sha256.digest();
        byte[] buf = new byte[1 << 16];
        long size = 0;
        try (OutputStream out = keep == null ? OutputStream.nullOutputStream() : Files.newOutputStream(keep)) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                md.update(buf, 0, n);
                out.write(buf, 0, n);
                size += n;
            }
        }
        return new Sha256.Counted(HexFormat.of().formatHex(md.digest()), size);
    }

    private static String location(CheckRequest request, String id) {
        return request.reads().stream().filter(r -> r.id().equals(id)).map(CheckRequest.Read::location)
                .findFirst().orElse(id);
    }

    /** The object's own name (the output file name the operator chose), never a path. */
    static String fileName(String location) {
        String name = location.substring(location.lastIndexOf('/') + 1);
        return name.isEmpty() || name.equals(".") || name.equals("..") ? "object" : name;
    }
}
