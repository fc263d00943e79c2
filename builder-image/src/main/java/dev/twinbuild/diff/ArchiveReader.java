package dev.twinbuild.diff;

import dev.twinbuild.pipeline.Hashes;
import dev.twinbuild.pipeline.assemble.Decompressors;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Lists the entries of a tar or cpio archive (plain, gzip, zstd or bzip2), with content digests. */
public final class ArchiveReader {
    static final int PREVIEW_BYTES = 4096;

    private ArchiveReader() {
    }

    /** @return null when the file is neither tar nor cpio */
    public static List<ArchiveEntryInfo> read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = new BufferedInputStream(Decompressors.open(raw, file.toString()), 1 << 16);
            in.mark(512);
            byte[] head = in.readNBytes(512);
            in.reset();
            if (head.length >= 6 && new String(head, 0, 6, StandardCharsets.US_ASCII).startsWith("07070")) {
                return cpio(new CpioArchiveInputStream(in, "UTF-8"));
            }
            if (head.length == 512 && (new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar")
                    || TarArchiveInputStream.matches(head, head.length))) {
                return tar(new TarArchiveInputStream(in, "UTF-8"));
            }
            return null;
        }
    }

    private static List<ArchiveEntryInfo> tar(TarArchiveInputStream tar) throws IOException {
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
            Content c = content(tar, e);
            out.add(new ArchiveEntryInfo(out.size(), e.getName(), type, e.getMode() & 07777, e.getLongUserId(),
                    e.getLongGroupId(), e.getUserName() + ":" + e.getGroupName(),
                    e.getLastModifiedTime().toMillis() / 1000, e.getSize(), link, c.sha256, c.preview));
        }
        return out;
    }

    private static List<ArchiveEntryInfo> cpio(CpioArchiveInputStream cpio) throws IOException {
        List<ArchiveEntryInfo> out = new ArrayList<>();
        CpioArchiveEntry e;
        while ((e = cpio.getNextEntry()) != null) {
            long fmt = e.getMode() & 0170000;
            String type = fmt == 0040000 ? "directory" : fmt == 0120000 ? "symlink" : fmt == 0020000 ? "char-device"
                    : fmt == 0060000 ? "block-device" : fmt == 0010000 ? "fifo" : "file";
            Content c = content(cpio, e);
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

    private record Content(String sha256, String preview) {
    }

    private static Content content(InputStream in, ArchiveEntry e) throws IOException {
        if (e.isDirectory()) {
            return new Content(null, null);
        }
        MessageDigest md = Hashes.sha256();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            md.update(buf, 0, n);
            if (head.size() < PREVIEW_BYTES + 1) {
                head.write(buf, 0, Math.min(n, PREVIEW_BYTES + 1 - head.size()));
            }
            total += n;
        }
        String preview = total <= PREVIEW_BYTES ? text(head.toByteArray()) : null;
        return new Content(HexFormat.of().formatHex(md.digest()), preview);
    }

    private static String text(byte[] b) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
            return s.chars().anyMatch(ch -> ch == 0) ? null : s;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
