package dev.twinbuild.pipeline.emit.iso;

import dev.twinbuild.api.v1alpha1.IsoBoot;
import dev.twinbuild.api.v1alpha1.Output;
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
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * ISO 9660 + Rock Ridge + Joliet by xorriso 1.5.4 (native commands, no startup files) from the materialised
 * tree. Owners, modes and mtimes come from the tree, not the disk: after {@code -map} each entry gets
 * {@code -chmod/-chown/-chgrp/-alter_date} (grouped by value, patterns off, names quoted with backslash codes);
 * atime and ctime are set to the mtime ({@code -volume_date all_file_dates set_to_mtime}), the
 * volume and El Torito catalog dates from SOURCE_DATE_EPOCH ({@code -volume_date uuid}, {@code -iso_nowtime}),
 * SOURCE_DATE_EPOCH also in the environment. Rock Ridge as RRIP 1.10, without inode numbers: with
 * {@code -hardlinks on} xorriso numbers inodes in the order of the disk's inode numbers, which differ between
 * builds. Hardlinked files still share one data extent and record their link count; extraction makes copies.
 *
 * <p>Device nodes are refused: xorriso can only copy them from disk, and a non-root build cannot make them.
 *
 * <p>El Torito: a BIOS entry (no emulation) and optionally a UEFI one, whose FAT image is a file of the tree or made
 * from a directory of it ({@link EspImage}) and added at {@code efiImage} with the tree's defaults (root, 0644,
 * SOURCE_DATE_EPOCH).
 */
public final class IsoWriter {
    private static final int BATCH = 64;
    private static final int LINE_BYTES = 3000;
    private static final DateTimeFormatter UUID_DATE = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'00'",
            Locale.ROOT).withZone(ZoneOffset.UTC);

    private IsoWriter() {
    }

    public static void write(Output o, String field, List<TreeEntry> entries, Path target, EmitContext ctx)
            throws IOException {
        Path xorriso = NativeTool.find("xorriso", "xorriso");
        Map<String, TreeEntry> byPath = new HashMap<>();
        for (TreeEntry e : entries) {
            byPath.put(e.path(), e);
            if (e.type() == EntryType.CHAR_DEVICE || e.type() == EntryType.BLOCK_DEVICE) {
                throw new InputException(field, "format iso cannot hold device nodes (/" + e.path()
                        + "): exclude them (spec.exclude) or use another format");
            }
        }
        if (o.boot != null) {
            checkBoot(o.boot, field + ".boot", byPath);
        }
        TreeMaterializer.Result tree = ctx.materialized(entries);
        Path scratch = ctx.scratch("iso");
        Path commands = scratch.resolve("xorriso.cmd");
        Files.writeString(commands, attributes(entries), StandardCharsets.UTF_8);
        String sde = Long.toString(ctx.sourceDateEpoch());
        String label = o.label != null ? o.label : defaultLabel(ctx.imageName());
        List<String> cmd = new ArrayList<>(List.of(xorriso.toString(), "-no_rc",
                "-report_about", "SORRY", "-abort_on", "FAILURE", "-return_with", "SORRY", "32",
                "-local_charset", "UTF-8", "-iso_rr_pattern", "off", "-disk_pattern", "off",
                "-backslash_codes", "in_double_quotes",
                "-outdev", "stdio:" + target,
                "-volid", label,
                "-joliet", "on", "-rockridge", "on", "-hardlinks", "off", "-disk_dev_ino", "off",
                "-acl", "off", "-xattr", "off", "-md5", "off",
                "-volume_date", "uuid", UUID_DATE.format(Instant.ofEpochSecond(ctx.sourceDateEpoch())),
                "-volume_date", "all_file_dates", "set_to_mtime",
                "-iso_nowtime", "=" + sde,
                "-map", tree.root().toString(), "/",
                "-options_from_file", commands.toString()));
        if (o.boot != null && o.boot.efiDirectory != null) {
            Path esp = scratch.resolve("efi.img");
            EspImage.write(field + ".boot.efiDirectory", o.boot.efiDirectory, entries, tree, esp, ctx.sourceDateEpoch());
            String at = o.boot.efiImage; // an argument, not a line of -options_from_file: no quoting
            cmd.addAll(List.of("-map", esp.toString(), o.boot.efiImage, "-chmod", "0644", at, "--",
                    "-chown", "0", at, "--", "-chgrp", "0", at, "--", "-alter_date", "m-c", "=" + sde, at, "--"));
        }
        if (o.boot != null) {
            IsoBoot b = o.boot;
            cmd.addAll(List.of("-boot_image", "any", "cat_path=" + b.catalogOrDefault(),
                    "-boot_image", "any", "bin_path=" + b.image,
                    "-boot_image", "any", "emul_type=no_emulation",
                    "-boot_image", "any", "load_size=" + b.loadSizeOrDefault() * 512L,
                    "-boot_image", "any", "boot_info_table=" + (b.infoTableOrDefault() ? "on" : "off")));
            if (b.efiImage != null) {
                cmd.addAll(List.of("-boot_image", "any", "next",
                        "-boot_image", "any", "efi_path=" + b.efiImage));
            }
        }
        cmd.addAll(List.of("-commit", "-end"));
        NativeTool.run("iso", cmd, Map.of("SOURCE_DATE_EPOCH", sde), scratch);
    }

    /** The image name as an ISO volume id: upper case, [A-Z0-9_], at most 32 characters. */
    static String defaultLabel(String imageName) {
        StringBuilder b = new StringBuilder();
        for (char c : imageName.toUpperCase(Locale.ROOT).toCharArray()) {
            b.append(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ? c : '_');
        }
        return b.length() <= 32 ? b.toString() : b.substring(0, 32);
    }

    private static void checkBoot(IsoBoot b, String field, Map<String, TreeEntry> byPath) {
        regularFile(b.image, field + ".image", byPath);
        if (b.efiDirectory != null) {
            TreeEntry dir = byPath.get(b.efiDirectory.substring(1));
            if (dir == null || dir.type() != EntryType.DIR) {
                throw new InputException(field + ".efiDirectory", b.efiDirectory + " is not a directory of the tree");
            }
            notInTree(b.efiImage, field + ".efiImage", "the ESP made from efiDirectory", byPath);
        } else if (b.efiImage != null) {
            regularFile(b.efiImage, field + ".efiImage", byPath);
        }
        notInTree(b.catalogOrDefault(), field + ".catalog", "the boot catalog", byPath);
    }

    private static void regularFile(String path, String field, Map<String, TreeEntry> byPath) {
        TreeEntry e = byPath.get(path.substring(1));
        if (e == null || e.type() != EntryType.FILE && e.type() != EntryType.HARDLINK) {
            throw new InputException(field, path + " is not a regular file in the tree");
        }
    }

    /** A file Twinbuild writes into the ISO: new, in a directory of the tree. */
    private static void notInTree(String path, String field, String what, Map<String, TreeEntry> byPath) {
        if (byPath.containsKey(path.substring(1))) {
            throw new InputException(field, path + " exists in the tree; " + what + " is written there");
        }
        int slash = path.lastIndexOf('/');
        TreeEntry dir = byPath.get(path.substring(1, Math.max(1, slash)));
        if (slash > 0 && (dir == null || dir.type() != EntryType.DIR)) {
            throw new InputException(field, path.substring(0, slash) + " is not a directory of the tree");
        }
    }

    /**
     * -chmod, -chown, -chgrp and the mtime (-alter_date) of every entry, grouped by value, in sorted order: the
     * disk's placeholders never reach the image.
     */
    static String attributes(List<TreeEntry> entries) {
        SortedMap<Integer, List<String>> modes = new TreeMap<>();
        SortedMap<Long, List<String>> uids = new TreeMap<>();
        SortedMap<Long, List<String>> gids = new TreeMap<>();
        SortedMap<Long, List<String>> mtimes = new TreeMap<>();
        for (TreeEntry e : entries) {
            String p = "/" + e.path();
            modes.computeIfAbsent(e.mode(), k -> new ArrayList<>()).add(p);
            uids.computeIfAbsent(e.uid(), k -> new ArrayList<>()).add(p);
            gids.computeIfAbsent(e.gid(), k -> new ArrayList<>()).add(p);
            mtimes.computeIfAbsent(e.mtime(), k -> new ArrayList<>()).add(p);
        }
        StringBuilder s = new StringBuilder();
        modes.forEach((m, paths) -> command(s, "-chmod", String.format(Locale.ROOT, "0%o", m), paths));
        uids.forEach((u, paths) -> command(s, "-chown", Long.toString(u), paths));
        gids.forEach((g, paths) -> command(s, "-chgrp", Long.toString(g), paths));
        mtimes.forEach((t, paths) -> command(s, "-alter_date m-c", "=" + t, paths));
        return s.toString();
    }

    /**
     * One line per batch of paths: at most {@link #BATCH} paths and about {@link #LINE_BYTES} bytes, since xorriso
     * reads lines of -options_from_file into a buffer of 4096 bytes (longer ones end mid-quotation).
     */
    private static void command(StringBuilder s, String command, String value, List<String> paths) {
        int i = 0;
        while (i < paths.size()) {
            int start = s.length();
            s.append(command).append(' ').append(value);
            int n = 0;
            while (i < paths.size() && n < BATCH) {
                String q = quote(paths.get(i));
                if (n > 0 && s.length() - start + q.length() + 4 > LINE_BYTES) {
                    break;
                }
                s.append(' ').append(q);
                i++;
                n++;
            }
            s.append(" --\n");
        }
    }

    /**
     * A word of xorriso's quoted input with {@code -backslash_codes in_double_quotes}: in double quotes, with
     * the quote, the backslash and control characters as octal codes. Other bytes (UTF-8) pass as they are.
     */
    static String quote(String path) {
        StringBuilder b = new StringBuilder(path.length() + 2).append('"');
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20 || c == 0x7f) {
                b.append(String.format(Locale.ROOT, "\\%03o", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
