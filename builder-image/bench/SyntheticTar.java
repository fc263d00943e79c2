import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;

/**
 * A tar of N small files (and their directories, 100 files each) for run.sh's peak-RSS comparison across
 * entry counts: the same names and bytes every time, so that only the number of entries changes.
 *
 * <p>Usage: {@code java -cp twinbuild.jar:classes SyntheticTar N OUT}
 */
public final class SyntheticTar {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        FileTime t = FileTime.from(1_600_000_000L, TimeUnit.SECONDS);
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(Path.of(args[1])), 1 << 16);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(o, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (int i = 0; i < n; i++) {
                String dir = String.format("usr/share/synthetic/d%05d/", i / 100);
                if (i % 100 == 0) {
                    TarArchiveEntry d = new TarArchiveEntry(dir, TarConstants.LF_DIR);
                    d.setMode(0755);
                    d.setLastModifiedTime(t);
                    tar.putArchiveEntry(d);
                    tar.closeArchiveEntry();
                }
                byte[] content = ("synthetic file " + i + "\n").getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry f = new TarArchiveEntry(dir + String.format("file-%07d.txt", i), TarConstants.LF_NORMAL);
                f.setMode(0644);
                f.setSize(content.length);
                f.setLastModifiedTime(t);
                tar.putArchiveEntry(f);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
    }
}
