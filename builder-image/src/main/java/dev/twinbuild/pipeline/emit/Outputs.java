package dev.twinbuild.pipeline.emit;

import com.github.luben.zstd.ZstdOutputStream;
import dev.twinbuild.api.v1alpha1.Output;
import dev.twinbuild.pipeline.Hashes;
import dev.twinbuild.pipeline.OutputArtifact;
import dev.twinbuild.pipeline.emit.ext4.Ext4Writer;
import dev.twinbuild.pipeline.emit.iso.IsoWriter;
import dev.twinbuild.pipeline.emit.kernel.KernelInitrd;
import dev.twinbuild.pipeline.emit.oci.OciLayoutWriter;
import dev.twinbuild.pipeline.emit.squashfs.SquashfsWriter;
import dev.twinbuild.pipeline.tree.TreeEntry;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes one output (one file, or two for kernel+initrd) and the SHA-256 of each file. Every file is written
 * under a temporary name in the output directory and renamed when complete.
 */
public final class Outputs {
    private Outputs() {
    }

    /** A stream format (tar, tar.gz, tar.zst, cpio.gz) into one file. */
    public static OutputArtifact write(Output o, String file, List<TreeEntry> entries, Path outDir, int threads)
            throws IOException {
        if (!isStream(o)) {
            throw new IllegalArgumentException(o.format + " needs an EmitContext");
        }
        return stream(o, file, outDir, out -> {
            try (OutputStream compressed = compress(o, out, threads)) {
                emitter(o).emit(entries, compressed);
            }
        });
    }

    /**
     * Any format.
     *
     * @param files  the output's file names ({@link Output#fileNames}), in order
     * @param field  the spec field of the output, for errors ("spec.outputs[2]")
     * @return one artifact per file, in the order of {@code files}
     */
    public static List<OutputArtifact> write(Output o, String field, List<String> files, List<TreeEntry> entries,
                                             Path outDir, EmitContext ctx) throws IOException {
        return ctx.timed(files.get(0), () -> writeUntimed(o, field, files, entries, outDir, ctx));
    }

    private static List<OutputArtifact> writeUntimed(Output o, String field, List<String> files,
                                                     List<TreeEntry> entries, Path outDir, EmitContext ctx)
            throws IOException {
        String file = files.get(0);
        return switch (o.format) {
            case TAR, TAR_GZ, TAR_ZST, CPIO_GZ -> List.of(write(o, file, entries, outDir, ctx.threads()));
            case OCI -> List.of(stream(o, file, outDir, out -> OciLayoutWriter.write(o, entries, out, ctx)));
            case SQUASHFS -> List.of(nativeFile(o, file, outDir, ctx,
                    t -> SquashfsWriter.write(o, entries, t, ctx)));
            case EXT4 -> List.of(nativeFile(o, file, outDir, ctx,
                    t -> Ext4Writer.write(o, field, file, entries, t, ctx)));
            case ISO -> List.of(nativeFile(o, file, outDir, ctx, t -> IsoWriter.write(o, field, entries, t, ctx)));
            case KERNEL_INITRD -> {
                KernelInitrd split = KernelInitrd.split(entries, o.kernelOrDefault(), field + ".kernel");
                OutputArtifact kernel = stream(o, file, outDir, out -> {
                    if (split.kernel().source() != null) {
                        try (InputStream in = Files.newInputStream(split.kernel().source())) {
                            if (in.transferTo(out) != split.kernel().size()) {
                                throw new IOException(split.kernel().path() + " changed while it was copied");
                            }
                        }
                    }
                });
                TreeEntry given = o.initrd == null ? null : KernelInitrd.fileAt(entries, o.initrd, field + ".initrd");
                OutputArtifact initrd = given != null ? stream(o, files.get(1), outDir, out -> copy(given, out))
                        : stream(o, files.get(1), outDir, out -> {
                    try (OutputStream gz = new ParallelGzipOutputStream(out, o.level != null ? o.level : 6,
                            ctx.threads())) {
                        new CpioEmitter().emit(split.initrd(), gz);
                    }
                });
                yield List.of(kernel, initrd);
            }
        };
    }

    private static void copy(TreeEntry file, OutputStream out) throws IOException {
        if (file.source() != null) {
            try (InputStream in = Files.newInputStream(file.source())) {
                if (in.transferTo(out) != file.size()) {
                    throw new IOException(file.path() + " changed while it was copied");
                }
            }
        }
    }

    interface Body {
        void write(OutputStream out) throws IOException;
    }

    interface NativeBody {
        void write(Path target) throws IOException;
    }

    private static boolean isStream(Output o) {
        return switch (o.format) {
            case TAR, TAR_GZ, TAR_ZST, CPIO_GZ -> true;
            default -> false;
        };
    }

    /** Bytes written by us: hashed as they are written. */
    static OutputArtifact stream(Output o, String file, Path outDir, Body body) throws IOException {
        Path target = outDir.resolve(file);
        MessageDigest sha = Hashes.sha256();
        Path tmp = outDir.resolve("." + file + ".partial");
        try (OutputStream raw = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16),
                sha)) {
            body.write(raw);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        return new OutputArtifact(o.format.value(), file, HexFormat.of().formatHex(sha.digest()), Files.size(target));
    }

    /** A file a native tool writes: into a fresh temporary name (never an old file), hashed afterwards. */
    static OutputArtifact nativeFile(Output o, String file, Path outDir, EmitContext ctx, NativeBody body)
            throws IOException {
        Path target = outDir.resolve(file);
        Path tmp = outDir.resolve("." + file + ".partial");
        Files.deleteIfExists(tmp);
        try {
            body.write(tmp.toAbsolutePath());
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        String sha = ctx.timed(file + ":sha256", () -> Hashes.sha256(target));
        return new OutputArtifact(o.format.value(), file, sha, Files.size(target));
    }

    private static Emitter emitter(Output o) {
        return switch (o.format) {
            case CPIO_GZ -> new CpioEmitter();
            default -> new TarEmitter();
        };
    }

    static OutputStream compress(Output o, OutputStream raw, int threads) throws IOException {
        return switch (o.format) {
            case TAR_GZ, CPIO_GZ -> new ParallelGzipOutputStream(raw, o.level != null ? o.level : 6, threads);
            case TAR_ZST -> {
                ZstdOutputStream z = new ZstdOutputStream(raw, o.level != null ? o.level : 19);
                // zstd's output is the same for any worker count >= 1, but differs from 0 (single-threaded mode).
                z.setWorkers(Math.max(1, threads));
                z.setChecksum(true);
                yield z;
            }
            default -> raw;
        };
    }
}
