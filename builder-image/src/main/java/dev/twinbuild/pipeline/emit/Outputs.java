package dev.twinbuild.pipeline.emit;

import com.github.luben.zstd.ZstdOutputStream;
import dev.twinbuild.api.v1alpha1.Output;
import dev.twinbuild.pipeline.OutputArtifact;
import dev.twinbuild.pipeline.tree.TreeEntry;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** Writes one output file (archive + compression) and its SHA-256, computed as the bytes are written. */
public final class Outputs {
    private Outputs() {
    }

    public static OutputArtifact write(Output o, String file, List<TreeEntry> entries, Path outDir, int threads)
            throws IOException {
        Path target = outDir.resolve(file);
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path tmp = outDir.resolve("." + file + ".partial");
        try (OutputStream raw = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16),
                sha); OutputStream compressed = compress(o, raw, threads)) {
            emitter(o).emit(entries, compressed);
        }
        Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return new OutputArtifact(o.format.value(), file, HexFormat.of().formatHex(sha.digest()), Files.size(target));
    }

    private static Emitter emitter(Output o) {
        return switch (o.format) {
            case TAR, TAR_GZ, TAR_ZST -> new TarEmitter();
            case CPIO_GZ -> new CpioEmitter();
        };
    }

    private static OutputStream compress(Output o, OutputStream raw, int threads) throws IOException {
        return switch (o.format) {
            case TAR -> raw;
            case TAR_GZ, CPIO_GZ -> new ParallelGzipOutputStream(raw, o.level != null ? o.level : 6, threads);
            case TAR_ZST -> {
                ZstdOutputStream z = new ZstdOutputStream(raw, o.level != null ? o.level : 19);
                // zstd's output is the same for any worker count >= 1, but differs from 0 (single-threaded mode).
                z.setWorkers(Math.max(1, threads));
                z.setChecksum(true);
                yield z;
            }
        };
    }
}
