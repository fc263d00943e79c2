package dev.twinbuild.pipeline.emit.squashfs;

import dev.twinbuild.api.v1alpha1.Output;
import dev.twinbuild.api.v1alpha1.SquashfsCompression;
import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.emit.EmitContext;
import dev.twinbuild.pipeline.emit.NativeTool;
import dev.twinbuild.pipeline.emit.TarEmitter;
import dev.twinbuild.pipeline.tree.TreeEntry;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * squashfs by mksquashfs (squashfs-tools 4.5.1) reading our own tar of the tree on its standard input
 * ({@code -tar}): owners, modes, device nodes, FIFOs, hardlinks and mtimes come from the tree exactly as the tar
 * output has them, with no files on disk and no root needed. {@code SOURCE_DATE_EPOCH} fixes the filesystem
 * time (and clamps any later time); {@code -noappend -no-xattrs}, mksquashfs's reproducible mode and the sorted
 * input fix the rest. The thread count ({@code -processors}) does not change the bytes.
 *
 * <p>The root directory: mksquashfs 4.5.1 makes it itself when reading a tar, with the mode of
 * {@code -root-mode} (the tree's), but owned by the caller's uid and gid ({@code -root-uid/-gid} are ignored) and
 * timed now, clamped to SOURCE_DATE_EPOCH. So when the build's uid or gid is not the tree root's (a non-root
 * build), mksquashfs runs under fakeroot with FAKEROOTUID/FAKEROOTGID set to the root's owner; and the root's
 * time is SOURCE_DATE_EPOCH, which must therefore not lie in the future.
 *
 * <p>Why not a directory and a pseudo file ({@code -pf}): in 4.5.1 a pseudo "modify" of a directory conflicts
 * with pseudo definitions of its children ("already exists as a non directory"), so a non-root build could not
 * set both a directory's owner and its files' owners.
 */
public final class SquashfsWriter {
    private SquashfsWriter() {
    }

    public static void write(Output o, List<TreeEntry> entries, Path target, EmitContext ctx) throws IOException {
        List<TreeEntry> children = entries.subList(1, entries.size());
        write(o, entries.get(0), target, ctx, stdin -> {
            OutputStream out = new BufferedOutputStream(stdin, 1 << 16);
            new TarEmitter().emit(children, out);
            out.flush();
        });
    }

    /**
     * The same from a tar of the tree's entries after its root, as {@link TarEmitter} writes them (the tar of the
     * whole tree without its first entry: mksquashfs stops reading at the end-of-archive record, so how far the
     * padding after it goes does not matter).
     *
     * @param root the tree's first entry, its root directory
     */
    public static void write(Output o, TreeEntry root, Path target, EmitContext ctx, NativeTool.Input tarAfterRoot)
            throws IOException {
        write(o, root, target, ctx, tarAfterRoot, false);
    }

    /**
     * @param yielding run mksquashfs at a lower priority ({@code nice -n 10}): when a longer chain of tools (ext4's
     *                 mkfs and debugfs) runs beside it, mksquashfs's threads would otherwise take the cores that
     *                 chain waits for, and the build would end later. The priority changes no byte.
     */
    public static void write(Output o, TreeEntry root, Path target, EmitContext ctx, NativeTool.Input tarAfterRoot,
                             boolean yielding) throws IOException {
        Path mksquashfs = NativeTool.find("mksquashfs", "squashfs-tools");
        if (!root.isRoot()) {
            throw new IllegalArgumentException("the tree must start with its root");
        }
        if (ctx.sourceDateEpoch() > Instant.now().getEpochSecond()) {
            throw new InputException("spec.sourceDateEpoch", "format squashfs needs a time in the past: mksquashfs "
                    + "gives the root directory the build time, clamped to SOURCE_DATE_EPOCH");
        }
        SquashfsCompression comp = o.compressionOrDefault();
        List<String> cmd = new ArrayList<>();
        Map<String, String> env = new TreeMap<>(Map.of("SOURCE_DATE_EPOCH", Long.toString(ctx.sourceDateEpoch())));
        if (yielding) {
            cmd.addAll(List.of(NativeTool.find("nice", "coreutils").toString(), "-n", "10"));
        }
        long[] ids = processIds();
        if (ids[0] != root.uid() || ids[1] != root.gid()) {
            cmd.addAll(List.of(NativeTool.find("fakeroot", "fakeroot").toString(), "--"));
            for (String id : new String[]{"UID", "EUID", "SUID", "FSUID"}) {
                env.put("FAKEROOT" + id, Long.toString(root.uid()));
            }
            for (String id : new String[]{"GID", "EGID", "SGID", "FSGID"}) {
                env.put("FAKEROOT" + id, Long.toString(root.gid()));
            }
        }
        cmd.addAll(List.of(mksquashfs.toString(), "-", target.toString(), "-tar",
                "-noappend", "-no-xattrs", "-reproducible", "-quiet", "-no-progress",
                "-comp", comp.name(),
                "-b", Integer.toString(o.blockSize != null ? o.blockSize : 128 * 1024),
                "-processors", Integer.toString(ctx.threads()),
                "-root-mode", Integer.toOctalString(root.mode())));
        if (o.level != null) {
            cmd.addAll(List.of("-Xcompression-level", o.level.toString()));
        }
        NativeTool.run("squashfs", cmd, env, ctx.scratch("squashfs-" + target.getFileName()), tarAfterRoot);
    }

    /** Real uid and gid of this process (what mksquashfs's getuid() and getgid() return). */
    static long[] processIds() throws IOException {
        long uid = -1;
        long gid = -1;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
            if (line.startsWith("Uid:")) {
                uid = Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
            } else if (line.startsWith("Gid:")) {
                gid = Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
            }
        }
        return new long[]{uid, gid};
    }
}
