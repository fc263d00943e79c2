package dev.twinbuild.pipeline.emit.ext4;

import dev.twinbuild.api.v1alpha1.Output;
import dev.twinbuild.pipeline.BuildException;
import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.emit.EmitContext;
import dev.twinbuild.pipeline.emit.NativeTool;
import dev.twinbuild.pipeline.emit.TreeMaterializer;
import dev.twinbuild.pipeline.tree.EntryType;
import dev.twinbuild.pipeline.tree.TreeEntry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ext4 by {@code mkfs.ext4 -d} (e2fsprogs 1.47.0) from the materialised tree, into a new file, then
 * {@code debugfs -w} to give every inode the tree's owner, mode and times and to add device nodes.
 *
 * <p>What is fixed: the mke2fs configuration (our own, not the host's /etc/mke2fs.conf), block and inode size,
 * inode count, UUID ({@code -U}, from the spec or derived from the tree's digest), directory hash seed
 * ({@code -E hash_seed}, derived from the UUID), label, root owner, and every time: {@code E2FSPROGS_FAKE_TIME}
 * for the superblock and the tool's own inodes, then atime, ctime, mtime and crtime of every inode set to the
 * entry's mtime (mkfs copies atime and ctime from the disk, and ctime cannot be set there), lost+found to
 * SOURCE_DATE_EPOCH. mkfs.ext4 reads directories sorted, so disk order does not matter.
 */
public final class Ext4Writer {
    static final int BLOCK = 4096;
    static final int INODE_SIZE = 256;
    private static final int ATTEMPTS = 5;
    /** The ext4 of Debian bookworm's /etc/mke2fs.conf, pinned here so that the host's copy cannot change it. */
    static final String MKE2FS_CONF = """
            [defaults]
            \tbase_features = sparse_super,large_file,filetype,resize_inode,dir_index,ext_attr
            \tdefault_mntopts = acl,user_xattr
            \tenable_periodic_fsck = 0
            \tblocksize = 4096
            \tinode_size = 256
            \tinode_ratio = 16384
            \treserved_ratio = 5.0
            \tlazy_itable_init = false
            \tlazy_journal_init = false
            
            [fs_types]
            \text4 = {
            \t\tfeatures = has_journal,extent,huge_file,flex_bg,metadata_csum,64bit,dir_nlink,extra_isize
            \t}
            """;

    private Ext4Writer() {
    }

    /** @param file the output's file name (seed of the derived UUID); @param field the spec field, for errors */
    public static void write(Output o, String field, String file, List<TreeEntry> entries, Path target,
                             EmitContext ctx) throws IOException {
        Path mkfs = NativeTool.find("mkfs.ext4", "e2fsprogs");
        Path debugfs = NativeTool.find("debugfs", "e2fsprogs");
        for (TreeEntry e : entries) {
            if (e.path().indexOf('\n') >= 0 || e.path().indexOf('\r') >= 0) {
                throw new InputException(field, "format ext4: the path " + printable(e.path())
                        + " has a line break, which debugfs commands cannot carry");
            }
        }
        TreeMaterializer.Result tree = ctx.materialized(entries);
        Path scratch = ctx.scratch("ext4");
        Path conf = scratch.resolve("mke2fs.conf");
        Files.writeString(conf, MKE2FS_CONF, StandardCharsets.UTF_8);

        String uuid = o.uuid != null ? o.uuid : ctx.derivedUuid(entries, "ext4-uuid", file);
        String hashSeed = EmitContext.uuidFrom("twinbuild\0ext4-hash-seed\0" + uuid);
        String label = o.label != null ? o.label : truncate(ctx.imageName(), 16);
        Sizing sizing = Sizing.of(entries);
        long inodes = sizing.inodes();
        long blocks = o.size != null ? Output.parseSize(o.size) / BLOCK : sizing.blocks();
        Map<String, String> env = Map.of("MKE2FS_CONFIG", conf.toString(),
                "E2FSPROGS_FAKE_TIME", Long.toString(ctx.sourceDateEpoch()));
        for (int attempt = 1; ; attempt++) {
            Files.deleteIfExists(target); // always a new file: mkfs leaves stale bytes in an old one's free blocks
            List<String> cmd = List.of(mkfs.toString(), "-q", "-t", "ext4", "-b", Integer.toString(BLOCK),
                    "-I", Integer.toString(INODE_SIZE), "-N", Long.toString(Math.max(inodes, blocks * BLOCK / 16384)),
                    "-L", label, "-U", uuid,
                    "-E", "hash_seed=" + hashSeed + ",root_owner=0:0,nodiscard",
                    "-d", tree.root().toString(), target.toString(), Long.toString(blocks));
            try {
                ctx.timed(file + ":mkfs", () -> NativeTool.run("ext4", cmd, env, scratch));
                break;
            } catch (BuildException ex) {
                boolean full = ex.getMessage().contains("Could not allocate") || ex.getMessage().contains("No space")
                        || ex.getMessage().contains("too small");
                if (o.size != null && full) {
                    throw new InputException(field + ".size", o.size + " is too small for the tree (about "
                            + sizing.blocks() * BLOCK / (1 << 20) + " MiB needed)");
                }
                if (o.size != null || !full || attempt == ATTEMPTS) {
                    throw ex;
                }
                blocks += blocks / 2; // the estimate fell short: grow, the same way in every build
            }
        }
        Path script = scratch.resolve("debugfs.cmd");
        Files.writeString(script, DebugfsScript.of(entries, tree.devices(), ctx.sourceDateEpoch()),
                StandardCharsets.UTF_8);
        // debugfs echoes every command: only the other lines (its errors) are kept. -n: it does not verify the
        // checksum of each block it reads (a crc32c of every directory block on every path lookup, 60% of its
        // CPU); the image is the one mkfs has just written, and what debugfs writes is checksummed as before, so
        // the bytes are the same (golden digests; its reads, and so its lifetime-writes count, are unchanged).
        String out = ctx.timed(file + ":debugfs", () -> NativeTool.runFiltered("ext4 (debugfs)",
                List.of(debugfs.toString(), "-w", "-n", "-f", script.toString(), target.toString()), env, scratch,
                line -> !line.isEmpty() && !line.startsWith("debugfs") && !line.startsWith("Allocated inode:")));
        List<String> errors = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isEmpty()) {
                errors.add(line);
            }
        }
        if (!errors.isEmpty()) {
            throw new BuildException("OutputFailed", "ext4: debugfs failed: "
                    + String.join("\n", errors.subList(0, Math.min(20, errors.size()))));
        }
    }

    static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    private static String printable(String s) {
        return s.replace("\n", "\\n").replace("\r", "\\r");
    }

    /** Blocks and inodes the tree needs, estimated generously; the journal and free headroom on top. */
    record Sizing(long blocks, long inodes) {
        static Sizing of(List<TreeEntry> entries) {
            long data = 0;
            long dirBytes = 0;
            long n = 0;
            for (TreeEntry e : entries) {
                n++;
                dirBytes += 12 + ((e.name().getBytes(StandardCharsets.UTF_8).length + 3) & ~3);
                if (e.type() == EntryType.FILE) {
                    long b = (e.size() + BLOCK - 1) / BLOCK;
                    data += b + b / 300 + (b > 4 * 32768 ? 1 : 0); // extent index blocks of big files
                } else if (e.type() == EntryType.DIR) {
                    data += 1;
                } else if (e.type() == EntryType.SYMLINK
                        && e.linkTarget().getBytes(StandardCharsets.UTF_8).length >= 60) {
                    data += 1;
                }
            }
            long inodes = n + n / 4 + 64;
            data += dirBytes / BLOCK + 1;
            long inodeTable = inodes * INODE_SIZE / BLOCK + 1;
            long est = data + inodeTable;
            est += est / 4;                            // free space, and reserve for root (5%)
            est += journalBlocks(est) + 1024;          // journal, group metadata, lost+found
            long mib = BLOCK == 4096 ? 256 : 1024 * 1024 / BLOCK;
            long blocks = Math.max(16 * mib, (est + mib - 1) / mib * mib);
            return new Sizing(blocks, inodes);
        }

        /** ext2fs_default_journal_size (e2fsprogs 1.47), in blocks. */
        static long journalBlocks(long blocks) {
            if (blocks < 2048) {
                return 0;
            }
            if (blocks < 32768) {
                return 1024;
            }
            if (blocks < 256 * 1024) {
                return 4096;
            }
            if (blocks < 512 * 1024) {
                return 8192;
            }
            if (blocks < 4096 * 1024) {
                return 16384;
            }
            if (blocks < 8192 * 1024) {
                return 32768;
            }
            if (blocks < 16384 * 1024) {
                return 65536;
            }
            if (blocks < 32768 * 1024) {
                return 131072;
            }
            return 262144;
        }
    }
}
