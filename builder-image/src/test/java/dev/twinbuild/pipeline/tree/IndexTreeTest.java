package dev.twinbuild.pipeline.tree;

import dev.twinbuild.pipeline.normalise.TreeScanner.Scanned;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The compact index: path order without paths, removal of subtrees, and names re-used after removal. */
class IndexTreeTest {
    @TempDir
    Path tmp;

    private static List<String> paths(IndexTree t) throws IOException {
        List<String> out = new ArrayList<>();
        for (Scanned s : t.scan()) {
            out.add(s.entry().path());
        }
        return out;
    }

    private void file(IndexTree t, String real) throws IOException {
        t.putFile(t.place(real, real), new ByteArrayInputStream(new byte[0]), 0, 0644, 0, 0, 0);
    }

    @Test
    void entriesComeInTheOrderOfTheirPathBytes() throws IOException {
        IndexTree t = new IndexTree(tmp.resolve("spill"), 0);
        // '-', '.', ' ' and '!' sort before '/'; '0' and 'é' after; a directory's subtree sorts as "name/"
        for (String p : List.of("a/x", "a-b", "a.c", "a0", "a b/y", "a!", "é/z", "b/c/d/e", "b/c.d", "b/c-d/f",
                "ab", "a/x.y/z", "a/x-y")) {
            file(t, p);
        }
        List<String> got = paths(t);
        List<String> expected = new ArrayList<>(got);
        expected.sort(PathOrder.BYTES);
        assertThat(got).isEqualTo(expected).contains("", "a", "a/x", "b/c", "é");
        assertThat(got).hasSize(22);
    }

    @Test
    void removedSubtreesAreGoneAndTheirNamesCanComeBack() throws IOException {
        IndexTree t = new IndexTree(tmp.resolve("spill"), 0);
        file(t, "d/e/f");
        file(t, "d/g");
        file(t, "h");
        t.remove("d");
        assertThat(t.kind("d")).isEqualTo(SafePaths.Kind.MISSING);
        assertThat(t.kind("d/e/f")).isEqualTo(SafePaths.Kind.MISSING);
        file(t, "d/e/new");
        t.putSymlink("h2", "h", 0, 0, 0, "h2");
        assertThat(t.kind("d/e")).isEqualTo(SafePaths.Kind.DIR);
        assertThat(t.kind("d/e/f")).isEqualTo(SafePaths.Kind.MISSING);
        assertThat(t.readLink("h2")).isEqualTo("h");
        t.putDir("d", 0700, 0, 0, 0); // an existing directory keeps its children
        t.putFile("d/e", null, 0, 0644, 1, 2, 3); // a file replaces a directory and all below it
        List<Scanned> s = t.scan();
        assertThat(s).extracting(x -> x.entry().path()).containsExactly("", "d", "d/e", "h", "h2");
        assertThat(s.get(1).entry().mode()).isEqualTo(0700);
        assertThat(s.get(2).entry().type()).isEqualTo(EntryType.FILE);
        assertThat(s.get(2).entry().uid()).isEqualTo(1);
    }

    @Test
    void wideValuesAndManyEntriesSurvive() throws IOException {
        IndexTree t = new IndexTree(tmp.resolve("spill"), 0);
        t.putFile("big", null, 0, 04755, 5_000_000_000L, 1L << 40, 1L << 35);
        for (int i = 0; i < 40_000; i++) {
            file(t, "m/" + i);
        }
        List<Scanned> s = t.scan();
        assertThat(s).hasSize(40_003);
        assertThat(s.get(1).entry()).satisfies(e -> {
            assertThat(e.path()).isEqualTo("big");
            assertThat(e.uid()).isEqualTo(5_000_000_000L);
            assertThat(e.gid()).isEqualTo(1L << 40);
            assertThat(e.mtime()).isEqualTo(1L << 35);
            assertThat(e.mode()).isEqualTo(04755);
        });
    }
}
