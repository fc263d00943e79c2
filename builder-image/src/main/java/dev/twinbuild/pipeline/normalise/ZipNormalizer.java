package dev.twinbuild.pipeline.normalise;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.archivers.zip.ZipMethod;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Rewrites a zip/jar with entries in a fixed order, the DOS epoch as every time, no extra fields or
 * comments. The manifest stays first, where JarInputStream looks for it.
 */
final class ZipNormalizer implements ContentNormalizer {
    private static final long MAX_ENTRY = 512L << 20;

    @Override
    public boolean normalize(Path file, OutputStream out) throws IOException {
        ZipFile zip;
        try {
            zip = ZipFile.builder().setPath(file).get();
        } catch (IOException e) {
            return false;
        }
        try (zip) {
            List<ZipArchiveEntry> entries = Collections.list(zip.getEntries());
            entries.sort(Comparator.comparing(ZipNormalizer::rank).thenComparing(ZipArchiveEntry::getName));
            // DOS times are local times: compute the epoch in the zone the library will convert with.
            long dosEpoch = LocalDateTime.of(1980, 1, 1, 0, 0).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
            ZipArchiveOutputStream zos = new ZipArchiveOutputStream(new NonClosing(out));
            zos.setEncoding("UTF-8");
            zos.setLevel(6);
            for (ZipArchiveEntry e : entries) {
                if (e.getSize() > MAX_ENTRY) {
                    return false;
                }
                byte[] data;
                try (InputStream in = zip.getInputStream(e)) {
                    data = in.readAllBytes();
                }
                ZipArchiveEntry n = new ZipArchiveEntry(e.getName());
                n.setTime(dosEpoch);
                n.setMethod(e.getMethod() == ZipMethod.STORED.getCode() ? ZipArchiveEntry.STORED : ZipArchiveEntry.DEFLATED);
                if (e.getUnixMode() != 0) {
                    n.setUnixMode(e.getUnixMode());
                }
                CRC32 crc = new CRC32();
                crc.update(data);
                n.setSize(data.length);
                n.setCrc(crc.getValue());
                zos.putArchiveEntry(n);
                zos.write(data);
                zos.closeArchiveEntry();
            }
            zos.finish();
            return true;
        }
    }

    private static int rank(ZipArchiveEntry e) {
        String n = e.getName();
        return n.equals("META-INF/") ? 0 : n.equals("META-INF/MANIFEST.MF") ? 1 : 2;
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    static List<String> names(Path file) throws IOException {
        try (ZipFile zip = ZipFile.builder().setPath(file).get()) {
            List<String> names = new ArrayList<>();
            zip.getEntries().asIterator().forEachRemaining(e -> names.add(e.getName()));
            return names;
        }
    }
}
