package dev.twinbuild.pipeline.normalise;

import dev.twinbuild.pipeline.BuildOptions.DirOrder;
import dev.twinbuild.pipeline.normalise.TreeScanner.Scanned;
import dev.twinbuild.pipeline.tree.Rootfs;
import dev.twinbuild.pipeline.tree.TreeEntry;
import dev.twinbuild.pipeline.tree.TreeRemoval;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scan after the steps reads a file's content from its layer only while the file is as assembly wrote it:
 * any change a step makes (even one that keeps the size and puts the time back) sends the scan to the disk.
 */
class LayerContentsTest {
    private static final long MTIME = 1_600_000_000L;

    @TempDir
    Path tmp;

    /** A rootfs with files a..f whose contents lie in {@code blob} at 100 * index, 4 bytes each. */
    private Rootfs assemble(Path blob) throws IOException {
        byte[] bytes = new byte[1000];
        Files.write(blob, bytes);
        Rootfs fs = new Rootfs(tmp.resolve("work/rootfs"), 1_700_000_000L);
        fs.putDir("d", 0755, 0, 0, MTIME);
        String[] names = {"a", "b", "c", "d/e", "f", "g"};
        for (int i = 0; i < names.length; i++) {
            byte[] content = ("old" + i).getBytes(StandardCharsets.US_ASCII);
            fs.putFileAt(names[i], new ByteArrayInputStream(content), content.length, blob, 100L * i, 0644, 0, 0,
                    MTIME);
        }
        fs.putHardlink("h", "a", "h");
        fs.fixDirectoryTimes();
        fs.finishAssembly(true);
        return fs;
    }

    private static Map<String, TreeEntry> byPath(List<Scanned> scanned) {
        return scanned.stream().map(Scanned::entry).collect(Collectors.toMap(TreeEntry::path, Function.identity()));
    }

    @Test
    void onlyFilesNoStepChangedAreReadFromTheLayer() throws IOException {
        Path blob = tmp.resolve("layer.tar");
        Rootfs fs = assemble(blob);
        assertThat(fs.contentFence()).isNotNull();
        Path root = fs.dir();
        // What a step might do: same size and the old time put back; a chmod; a rename onto a name; a new link.
        Files.writeString(root.resolve("b"), "new1");
        Files.setLastModifiedTime(root.resolve("b"), FileTime.from(MTIME, java.util.concurrent.TimeUnit.SECONDS));
        Files.setPosixFilePermissions(root.resolve("c"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Files.move(root.resolve("f"), root.resolve("d/e"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.createLink(root.resolve("g2"), root.resolve("g"));

        Map<String, TreeEntry> e = byPath(new TreeScanner(root, fs.meta(), DirOrder.NATURAL, fs.contentFence()).scan());

        assertThat(e.get("a").source()).isEqualTo(blob);
        assertThat(e.get("a").offset()).isEqualTo(0);
        assertThat(e.get("h").source()).isEqualTo(blob); // a hardlink assembly made shares the layer content
        for (String changed : List.of("b", "c", "d/e", "g", "g2")) {
            assertThat(e.get(changed).offset()).as(changed).isEqualTo(TreeEntry.WHOLE_FILE);
            assertThat(e.get(changed).source()).as(changed).isEqualTo(root.resolve(changed));
        }
        assertThat(e.get("b").mtime()).isEqualTo(MTIME);
        assertThat(content(e.get("b"))).isEqualTo("new1");
        assertThat(content(e.get("d/e"))).isEqualTo("old4"); // f's content, now at d/e
        assertThat(e).doesNotContainKey("f");
    }

    @Test
    void withoutAFenceEverythingComesFromTheDisk() throws IOException {
        Rootfs fs = assemble(tmp.resolve("layer.tar"));
        List<Scanned> scanned = new TreeScanner(fs.dir(), fs.meta(), DirOrder.NATURAL).scan();
        assertThat(scanned).map(Scanned::entry).filteredOn(x -> x.source() != null)
                .allSatisfy(x -> assertThat(x.offset()).isEqualTo(TreeEntry.WHOLE_FILE)).hasSize(7);
    }

    @Test
    void theTreeIsRemovedWhileOutputsAreWrittenExceptWhatTheyReadFromTheDisk() throws IOException {
        Rootfs fs = assemble(tmp.resolve("layer.tar"));
        Path root = fs.dir();
        Files.writeString(root.resolve("d/e"), "changed by a step");
        TreeScanner scanner = new TreeScanner(root, fs.meta(), DirOrder.NATURAL, fs.contentFence());
        List<Scanned> scanned = scanner.scan();
        try (TreeRemoval removal = scanner.removeUnread(scanned)) {
            assertThat(removal).isNotNull();
        }
        try (var left = Files.walk(root)) {
            assertThat(left.map(p -> root.relativize(p).toString())).containsExactlyInAnyOrder("", "d", "d/e");
        }
        assertThat(Files.readString(root.resolve("d/e"))).isEqualTo("changed by a step");
        Rootfs.deleteTree(root);
        assertThat(Files.exists(root, LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    private static String content(TreeEntry e) throws IOException {
        try (var in = e.openContent()) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
