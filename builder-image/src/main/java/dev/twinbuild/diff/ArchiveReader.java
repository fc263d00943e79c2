package dev.twinbuild.diff;

import dev.twinbuild.pipeline.Hashes;
import dev.twinbuild.pipeline.assemble.Decompressors;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lists the entries of a tar or cpio archive (plain, gzip, zstd or bzip2) or a zip/jar, with content
 * digests; optionally copies the content of some entries out, for a nested comparison.
 */
public final class ArchiveReader {
    static final int PREVIEW_BYTES = 4096;

    /** The entries, and where the requested contents were copied to (by entry name). */
    public record Listing(List<ArchiveEntryInfo> entries, Map<String, Path> extracted) {
    }

    private ArchiveReader() {
    }

    /** @return null when the file is not an archive this reader knows */
    public static List<ArchiveEntryInfo> read(Path file) throws IOException {
        Listing l = read(file, Set.of(), null);
        return l == null ? null : l.entries();
    }

    /** @return null when the file is not an archive this reader knows */
    public static Listing read(Path file, Set<String> extract, Path extractDir) throws IOException {
        Sink sink = new Sink(extract, extractDir);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(4);
            byte[] magic = raw.readNBytes(4);
            raw.reset();
            if (magic.length == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4) {
                return new Listing(zip(file, sink), sink.done);
            }
            InputStream in = new BufferedInputStream(Decompressors.open(raw, file.toString()), 1 << 16);
            in.mark(512);
            byte[] head = in.readNBytes(512);
            in.reset();
            if (head.length >= 6 && new String(head, 0, 6, StandardCharsets.US_ASCII).startsWith("07070")) {
                return new Listing(cpio(new CpioArchiveInputStream(in, "UTF-8"), sink), sink.done);
            }
            if (head.length == 512 && (new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar")
                    || TarArchiveInputStream.matches(head, head.length))) {
                return new Listing(tar(new TarArchiveInputStream(in, "UTF-8"), sink), sink.done);
            }
        }
        FilesystemImages.Kind kind = FilesystemImages.detect(file);
        if (kind == null) {
            return null;
        }
        // Filesystem images are unpacked by their own tool; the unpacked files are the extracted contents.
        Path dir = Files.createTempDirectory("twinbuild-unpack-");
        Path root = dir.resolve("root");
        FilesystemImages.unpack(kind, file, root);
        Map<String, Path> contents = new HashMap<>();
        List<ArchiveEntryInfo> entries = FilesystemImages.list(kind, root, contents);
        UNPACKED.add(dir);
        contents.keySet().retainAll(extract);
        return new Listing(entries, contents);
    }

    /** Unpacked filesystem images, removed by {@link #cleanUp} when a diff is done. */
    private static final List<Path> UNPACKED = java.util.Collections.synchronizedList(new ArrayList<>());

    static void cleanUp() throws IOException {
        synchronized (UNPACKED) {
            for (Path p : UNPACKED) {
                dev.twinbuild.pipeline.tree.Rootfs.deleteTree(p);
            }
            UNPACKED.clear();
        }
    }

    private static List<ArchiveEntryInfo> tar(TarArchiveInputStream tar, Sink sink) throws IOException {
        List<ArchiveEntryInfo> out = new ArrayList<>();
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            String type = e.isDirectory() ? "directory" : e.isSymbolicLink() ? "symlink" : e.isLink() ? "hardlink"
                    : e.isCharacterDevice() ? "char-device" : e.isBlockDevice() ? "block-device"
                    : e.isFIFO() ? "fifo" : "file";
            String link = e.isSymbolicLink() || e.isLink() ? e.getLinkName() : null;
            if (e.isCharacterDevice() || e.isBlockDevice()) {
                link = e.getDevMajor() + "," + e.getDevMinor();
            }
            Content c = content(tar, e, sink);
            out.add(new ArchiveEntryInfo(out.size(), e.getName(), type, e.getMode() & 07777, e.getLongUserId(),
                    e.getLongGroupId(), e.getUserName() + ":" + e.getGroupName(),
                    e.getLastModifiedTime().toMillis() / 1000, e.getSize(), link, c.sha256, c.preview));
        }
        return out;
    }

    private static List<ArchiveEntryInfo> cpio(CpioArchiveInputStream cpio, Sink sink) throws IOException {
        List<ArchiveEntryInfo> out = new ArrayList<>();
        CpioArchiveEntry e;
        while ((e = cpio.getNextEntry()) != null) {
            long fmt = e.getMode() & 0170000;
            String type = fmt == 0040000 ? "directory" : fmt == 0120000 ? "symlink" : fmt == 0020000 ? "char-device"
                    : fmt == 0060000 ? "block-device" : fmt == 0010000 ? "fifo" : "file";
            Content c = content(cpio, e, type.equals("file") ? sink : Sink.NONE);
            String link = type.equals("symlink") && c.preview != null ? c.preview : null;
            if (type.endsWith("device")) {
                link = e.getRemoteDeviceMaj() + "," + e.getRemoteDeviceMin();
            }
            out.add(new ArchiveEntryInfo(out.size(), e.getName(), type, (int) (e.getMode() & 07777), e.getUID(),
                    e.getGID(), "", e.getTime() / 1000, e.getSize(), link,
                    type.equals("file") ? c.sha256 : null, c.preview));
        }
        return out;
    }

    private static List<ArchiveEntryInfo> zip(Path file, Sink sink) throws IOException {
        List<ArchiveEntryInfo> out = new ArrayList<>();
        try (ZipFile zip = ZipFile.builder().setPath(file).get()) {
            for (ZipArchiveEntry e : Collections.list(zip.getEntriesInPhysicalOrder())) {
                String type = e.isDirectory() ? "directory" : e.isUnixSymlink() ? "symlink" : "file";
                Content c;
                try (InputStream in = zip.getInputStream(e)) {
                    c = content(in, e, sink);
                }
                String link = type.equals("symlink") ? c.preview : null;
                // DOS times are local: shown in UTC seconds as this JVM reads them, the same for both sides.
                out.add(new ArchiveEntryInfo(out.size(), e.getName(), type, e.getUnixMode() & 07777, 0, 0, "",
                        e.getTime() / 1000, e.getSize(), link, c.sha256, c.preview));
            }
        }
        return out;
    }

    private record Content(String sha256, String preview) {
    }

    /** Copies the content of the entries asked for into numbered files. */
    private static final class Sink {
        static final Sink NONE = new Sink(Set.of(), null);
        private final Set<String> names;
        private final Path dir;
        final Map<String, Path> done = new HashMap<>();

        Sink(Set<String> names, Path dir) {
            this.names = names;
            this.dir = dir;
        }

        OutputStream open(String name) throws IOException {
            if (dir == null || !names.contains(name) || done.containsKey(name)) {
                return null;
            }
            Path p = dir.resolve("entry-" + done.size());
            done.put(name, p);
            return Files.newOutputStream(p);
        }
    }

    private static Content content(InputStream in, ArchiveEntry e, Sink sink) throws IOException {
        if (e.isDirectory()) {
            return new Content(null, null);
        }
        MessageDigest md = Hashes.sha256();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        long total = 0;
        int n;
        try (OutputStream copy = sink.open(e.getName())) {
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
                if (copy != null) {
                    copy.write(buf, 0, n);
                }
                if (head.size() < PREVIEW_BYTES + 1) {
                    head.write(buf, 0, Math.min(n, PREVIEW_BYTES + 1 - head.size()));
                }
                total += n;
            }
        }
        String preview = total <= PREVIEW_BYTES ? text(head.toByteArray()) : null;
        return new Content(HexFormat.of().formatHex(md.digest()), preview);
    }

    static String text(byte[] b) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
            return s.chars().anyMatch(ch -> ch == 0) ? null : s;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
