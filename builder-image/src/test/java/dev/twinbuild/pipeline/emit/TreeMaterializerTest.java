package dev.twinbuild.pipeline.emit;

import dev.twinbuild.pipeline.tree.EntryType;
import dev.twinbuild.pipeline.tree.TreeEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The tree on disk: fixed placeholder modes whatever the umask, the entries' mtimes, real hardlinks. */
class TreeMaterializerTest {
    @TempDir
    Path tmp;

    private static TreeEntry e(String path, EntryType type, int mode, long mtime, String link, Path source,
                               long size) {
        return new TreeEntry(path, type, mode, 0, 0, mtime, size, link, type == EntryType.CHAR_DEVICE ? 1 : 0,
                type == EntryType.CHAR_DEVICE ? 3 : 0, source);
    }

    @Test
    void writesTheTreeWithFixedModesAndTheEntriesTimes() throws IOException {
        Path src = tmp.resolve("src");
        Files.writeString(src, "content\n");
        List<TreeEntry> entries = List.of(
                e("", EntryType.DIR, 0700, 1_000, null, null, 0),
                e("d", EntryType.DIR, 0500, 2_000, null, null, 0),
                e("d/f", EntryType.FILE, 04000, 3_000, null, src, 8),
                e("d/g", EntryType.HARDLINK, 0644, 3_000, "d/f", null, 0),
                e("d/p", EntryType.FIFO, 0600, 4_000, null, null, 0),
                e("d/s", EntryType.SYMLINK, 0777, 5_000, "../nowhere", null, 0),
                e("dev", EntryType.DIR, 0755, 6_000, null, null, 0),
                e("dev/null", EntryType.CHAR_DEVICE, 0666, 7_000, null, null, 0),
                e("empty", EntryType.FILE, 0, 8_000, null, null, 0));
        TreeMaterializer.Result r = TreeMaterializer.materialize(entries, tmp.resolve("tree"));
        Path root = r.root();
        assertThat(r.devices()).containsExactly(entries.get(7));
        assertThat(Files.readString(root.resolve("d/f"))).isEqualTo("content\n");
        assertThat(Files.isSameFile(root.resolve("d/f"), root.resolve("d/g"))).isTrue();
        assertThat(Files.readSymbolicLink(root.resolve("d/s")).toString()).isEqualTo("../nowhere");
        assertThat(Files.readAttributes(root.resolve("d/p"), "unix:mode").get("mode"))
                .isEqualTo(0010644);
        assertThat(Files.exists(root.resolve("dev/null"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        for (String dir : List.of("", "d", "dev")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(dir))))
                    .isEqualTo("rwxr-xr-x");
        }
        for (String file : List.of("d/f", "empty")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(file))))
                    .isEqualTo("rw-r--r--");
        }
        // Children first, so that no directory's time moves after it was set; symlinks' own times too.
        for (TreeEntry t : entries) {
            if (t.type() == EntryType.CHAR_DEVICE) {
                continue;
            }
            Path p = t.isRoot() ? root : root.resolve(t.path());
            assertThat(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS)).as(t.path())
                    .isEqualTo(FileTime.fromMillis(t.mtime() * 1000));
        }
    }
}
