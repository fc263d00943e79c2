package dev.twinbuild.pipeline.emit.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.twinbuild.api.v1alpha1.OciImageConfig;
import dev.twinbuild.api.v1alpha1.Output;
import dev.twinbuild.pipeline.Hashes;
import dev.twinbuild.pipeline.emit.EmitContext;
import dev.twinbuild.pipeline.emit.ParallelGzipOutputStream;
import dev.twinbuild.pipeline.emit.TarEmitter;
import dev.twinbuild.pipeline.tree.TreeEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * An OCI image layout (image-spec 1.0) as one tar, the form {@code skopeo ... oci-archive:FILE} and
 * {@code podman load} read: {@code oci-layout}, {@code index.json}, {@code blobs/sha256/*}. One layer: our tar
 * of the tree, gzip in independent blocks (the same bytes for any thread count). The config's {@code created}
 * is SOURCE_DATE_EPOCH in RFC 3339 UTC; {@code rootfs.diff_ids} the digest of the uncompressed layer. JSON is
 * compact with keys sorted; the outer tar lists blobs (sorted by digest) then index.json and oci-layout, all
 * 0:0, mode 0644/0755, mtime SOURCE_DATE_EPOCH.
 */
public final class OciLayoutWriter {
    static final String LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    static final String CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String INDEX = "application/vnd.oci.image.index.v1+json";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private OciLayoutWriter() {
    }

    private record Blob(String digest, long size, Path file, byte[] bytes) {
    }

    public static void write(Output o, List<TreeEntry> entries, OutputStream out, EmitContext ctx) throws IOException {
        OciImageConfig c = o.oci != null ? o.oci : new OciImageConfig();
        Path scratch = ctx.scratch("oci");
        Path layerFile = scratch.resolve("layer.tar.gz");
        MessageDigest compressed = Hashes.sha256();
        MessageDigest uncompressed = Hashes.sha256();
        long layerSize;
        try (Counting counted = new Counting(new DigestOutputStream(new BufferedOutputStream(
                Files.newOutputStream(layerFile), 1 << 16), compressed));
             OutputStream tar = new DigestOutputStream(new ParallelGzipOutputStream(counted,
                     o.level != null ? o.level : 6, ctx.threads()), uncompressed)) {
            new TarEmitter().emit(entries, tar);
            tar.close();
            layerSize = counted.count;
        }
        Blob layer = new Blob(hex(compressed), layerSize, layerFile, null);
        String created = DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(ctx.sourceDateEpoch()));

        SortedMap<String, Object> config = new TreeMap<>();
        config.put("architecture", c.architectureOrDefault());
        config.put("os", c.osOrDefault());
        if (c.variant != null) {
            config.put("variant", c.variant);
        }
        config.put("created", created);
        config.put("config", processConfig(c));
        config.put("rootfs", map("type", "layers", "diff_ids", List.of("sha256:" + hex(uncompressed))));
        config.put("history", List.of(map("created", created, "created_by", "twinbuild")));
        Blob configBlob = blob(config);

        SortedMap<String, Object> manifest = new TreeMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MANIFEST);
        manifest.put("config", descriptor(CONFIG, configBlob));
        manifest.put("layers", List.of(descriptor(LAYER, layer)));
        Blob manifestBlob = blob(manifest);

        SortedMap<String, Object> platform = new TreeMap<>(map("architecture", c.architectureOrDefault(),
                "os", c.osOrDefault()));
        if (c.variant != null) {
            platform.put("variant", c.variant);
        }
        SortedMap<String, Object> indexEntry = descriptor(MANIFEST, manifestBlob);
        indexEntry.put("platform", platform);
        indexEntry.put("annotations", map("org.opencontainers.image.ref.name", c.tagOrDefault()));
        SortedMap<String, Object> index = new TreeMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", INDEX);
        index.put("manifests", List.of(indexEntry));

        SortedMap<String, Blob> blobs = new TreeMap<>();
        for (Blob b : List.of(layer, configBlob, manifestBlob)) {
            blobs.put(b.digest, b);
        }
        TarArchiveOutputStream t = new TarArchiveOutputStream(out, "UTF-8");
        t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        long sde = ctx.sourceDateEpoch();
        directory(t, "blobs/", sde);
        directory(t, "blobs/sha256/", sde);
        for (Blob b : blobs.values()) {
            file(t, "blobs/sha256/" + b.digest, b, sde);
        }
        file(t, "index.json", blob(index), sde);
        file(t, "oci-layout", blob(map("imageLayoutVersion", "1.0.0")), sde);
        t.finish();
        t.flush();
    }

    private static SortedMap<String, Object> processConfig(OciImageConfig c) {
        SortedMap<String, Object> p = new TreeMap<>();
        if (c.entrypoint != null && !c.entrypoint.isEmpty()) {
            p.put("Entrypoint", c.entrypoint);
        }
        if (c.cmd != null && !c.cmd.isEmpty()) {
            p.put("Cmd", c.cmd);
        }
        if (c.env != null && !c.env.isEmpty()) {
            p.put("Env", c.env);
        }
        if (c.workingDir != null) {
            p.put("WorkingDir", c.workingDir);
        }
        if (c.user != null) {
            p.put("User", c.user);
        }
        if (c.labels != null && !c.labels.isEmpty()) {
            p.put("Labels", new TreeMap<>(c.labels));
        }
        return p;
    }

    private static SortedMap<String, Object> descriptor(String mediaType, Blob b) {
        SortedMap<String, Object> d = new TreeMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", "sha256:" + b.digest);
        d.put("size", b.size);
        return d;
    }

    private static SortedMap<String, Object> map(Object... kv) {
        SortedMap<String, Object> m = new TreeMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Blob blob(Map<String, Object> json) {
        try {
            byte[] bytes = JSON.writeValueAsBytes(json);
            return new Blob(Hashes.sha256(bytes), bytes.length, null, bytes);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(MessageDigest md) {
        return HexFormat.of().formatHex(md.digest());
    }

    private static TarArchiveEntry entry(String name, long sde) {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setUserId(0);
        e.setGroupId(0);
        e.setUserName("");
        e.setGroupName("");
        e.setLastModifiedTime(FileTime.from(sde, TimeUnit.SECONDS));
        return e;
    }

    private static void directory(TarArchiveOutputStream t, String name, long sde) throws IOException {
        TarArchiveEntry e = entry(name, sde);
        e.setMode(040755);
        t.putArchiveEntry(e);
        t.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream t, String name, Blob b, long sde) throws IOException {
        TarArchiveEntry e = entry(name, sde);
        e.setMode(0100644);
        e.setSize(b.size);
        t.putArchiveEntry(e);
        if (b.bytes != null) {
            t.write(b.bytes);
        } else {
            try (InputStream in = Files.newInputStream(b.file)) {
                if (in.transferTo(t) != b.size) {
                    throw new IOException(b.file + " changed while it was archived");
                }
            }
        }
        t.closeArchiveEntry();
    }

    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
