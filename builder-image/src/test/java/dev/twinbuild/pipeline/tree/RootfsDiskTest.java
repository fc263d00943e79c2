package dev.twinbuild.pipeline.tree;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What extraction leaves on disk, which the scan after the steps reads back: each entry's placeholder mode
 * exactly (created with it, not with whatever the umask lets through) and its mtime, also before 1970.
 */
class RootfsDiskTest {
    @TempDir
    Path tmp;

    @Test
    void modesAndTimesOnDisk() throws IOException {
        Path root = tmp.resolve("rootfs");
        Rootfs fs = new Rootfs(root, 1_700_000_000L);
        fs.putDir("d", 04555, 0, 0, 1_500_000_000L);
        fs.putFile("d/f", new ByteArrayInputStream("abc".getBytes()), 3, 06457, 0, 0, 1_600_000_000L);
        fs.putFile("old", new ByteArrayInputStream(new byte[0]), 0, 0, 0, 0, -86_400L);
        fs.putSpecial("dev", EntryType.CHAR_DEVICE, 0666, 0, 0, 1_400_000_000L, 1, 3);
        fs.putDir("d", 0701, 0, 0, 1_500_000_000L); // an existing directory: only its metadata changes
        fs.fixDirectoryTimes();
        fs.finishAssembly(false); // directory times are restored once, when assembly ends

        // Special bits stay in the metadata; the disk has the permission bits, owner rw(x) added.
        assertThat(mode(root.resolve("d"))).isEqualTo(0701);
        assertThat(mode(root.resolve("d/f"))).isEqualTo(0657);
        assertThat(mode(root.resolve("old"))).isEqualTo(0600);
        assertThat(mode(root.resolve("dev"))).isEqualTo(0600);
        assertThat(fs.meta().get("d/f").mode()).isEqualTo(06457);
        assertThat(mtime(root.resolve("d"))).isEqualTo(1_500_000_000L);
        assertThat(mtime(root.resolve("d/f"))).isEqualTo(1_600_000_000L);
        assertThat(mtime(root.resolve("old"))).isEqualTo(-86_400L);
        assertThat(mtime(root.resolve("dev"))).isEqualTo(1_400_000_000L);
        try (Stream<Path> s = Files.list(root)) { // the umask probe is gone
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("d", "old", "dev");
        }
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    private static long mtime(Path p) throws IOException {
        return Math.floorDiv(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis(), 1000);
    }
}
