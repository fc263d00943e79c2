package dev.twinbuild.pipeline.emit.iso;

import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.emit.NativeTool;
import dev.twinbuild.pipeline.emit.TreeMaterializer;
import dev.twinbuild.pipeline.tree.EntryType;
import dev.twinbuild.pipeline.tree.TreeEntry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The FAT image of an EFI system partition, made from a directory of the tree for the ISO's El Torito UEFI entry.
 * mkfs.fat 4.2 with {@code --invariant} (no random or clock values), the volume serial = SOURCE_DATE_EPOCH and a
 * fixed label; then mtools 4.0.32 adds the directories and files one by one in path order (so the FAT's directory
 * slots and short names are the same every time), each with the entry's mtime: mtools takes "now" from
 * SOURCE_DATE_EPOCH, which is set per call. FAT keeps local times, so TZ is UTC; times before 1980 (FAT's epoch)
 * become 1980-01-01. Only directories and regular files fit (FAT has no owners, modes or links); names must be
 * printable ASCII without FAT's reserved characters and unique ignoring case.
 */
final class EspImage {
    static final String LABEL = "EFIBOOT";
    static final long FAT_EPOCH = 315_532_800L; // 1980-01-01T00:00:00Z
    static final int MAX_ENTRIES = 4096;
    private static final String RESERVED = "\"*/:<>?\\|";

    private EspImage() {
    }

    /**
     * Writes the image of {@code dir} ("/boot/efi") to {@code target}.
     *
     * @param field the manifest field of the directory, for errors
     */
    static void write(String field, String dir, List<TreeEntry> entries, TreeMaterializer.Result tree, Path target,
                      long sourceDateEpoch) throws IOException {
        String prefix = dir.substring(1) + "/";
        List<TreeEntry> content = new ArrayList<>();
        Set<String> folded = new HashSet<>();
        long bytes = 0;
        for (TreeEntry e : entries) {
            if (!e.path().startsWith(prefix)) {
                continue;
            }
            check(field, e, folded);
            content.add(e);
            if (content.size() > MAX_ENTRIES) {
                throw new InputException(field, dir + " has more than " + MAX_ENTRIES + " entries for an ESP");
            }
            bytes += e.type() == EntryType.DIR ? 8192 : roundUp(Files.size(tree.resolve(e)), 4096);
        }
        Path mkfs = NativeTool.find("mkfs.fat", "dosfstools");
        Path mmd = NativeTool.find("mmd", "mtools");
        Path mcopy = NativeTool.find("mcopy", "mtools");
        Path scratch = target.getParent();
        // KiB: the content with 10 % + 1 MiB for the FATs, the root directory and the cluster rounding.
        long kib = roundUp(bytes + bytes / 10 + (1 << 20), 65536) / 1024;
        Files.deleteIfExists(target);
        NativeTool.run("iso efi", List.of(mkfs.toString(), "--invariant", "-i", serial(sourceDateEpoch),
                "-n", LABEL, "-C", target.toString(), Long.toString(kib)), Map.of(), scratch);
        for (TreeEntry e : content) {
            String inFat = "::/" + e.path().substring(prefix.length());
            List<String> cmd = e.type() == EntryType.DIR
                    ? List.of(mmd.toString(), "-i", target.toString(), inFat)
                    : List.of(mcopy.toString(), "-i", target.toString(), tree.resolve(e).toString(), inFat);
            NativeTool.run("iso efi", cmd, mtoolsEnv(e.mtime()), scratch);
        }
    }

    /** The volume serial: SOURCE_DATE_EPOCH (a FAT serial is traditionally made from the creation time). */
    static String serial(long sourceDateEpoch) {
        return String.format(Locale.ROOT, "%08X", sourceDateEpoch & 0xffff_ffffL);
    }

    /** mtools' settings fixed (a machine's /etc/mtools.conf may set them otherwise), "now" = the entry's time. */
    private static Map<String, String> mtoolsEnv(long mtime) {
        Map<String, String> env = new TreeMap<>();
        env.put("MTOOLS_SKIP_CHECK", "1");
        env.put("MTOOLS_LOWER_CASE", "0");
        env.put("MTOOLS_NO_VFAT", "0");
        env.put("MTOOLS_NAME_NUMERIC_TAIL", "1");
        env.put("MTOOLS_FAT_COMPATIBILITY", "0");
        env.put("SOURCE_DATE_EPOCH", Long.toString(Math.max(mtime, FAT_EPOCH)));
        return env;
    }

    private static void check(String field, TreeEntry e, Set<String> folded) {
        String p = "/" + e.path();
        if (e.type() != EntryType.DIR && e.type() != EntryType.FILE && e.type() != EntryType.HARDLINK) {
            throw new InputException(field, p + ": an ESP (FAT) holds only directories and regular files");
        }
        String name = e.name();
        for (char c : name.toCharArray()) {
            if (c < 0x20 || c > 0x7e || RESERVED.indexOf(c) >= 0) {
                throw new InputException(field, p + ": FAT names are printable ASCII without " + RESERVED);
            }
        }
        if (name.endsWith(".") || name.endsWith(" ")) {
            throw new InputException(field, p + ": FAT names cannot end with '.' or ' '");
        }
        if (!folded.add(e.path().toUpperCase(Locale.ROOT))) {
            throw new InputException(field, p + ": another entry has the same name in FAT, which ignores case");
        }
    }

    private static long roundUp(long n, long unit) {
        return (n + unit - 1) / unit * unit;
    }
}
