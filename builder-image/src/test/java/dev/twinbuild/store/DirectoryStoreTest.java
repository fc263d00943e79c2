package dev.twinbuild.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DirectoryStoreTest {
    @TempDir
    Path mount;
    @TempDir
    Path work;

    @Test
    void copiesChecksAndNamesThePvcLocation() throws Exception {
        DirectoryStore store = new DirectoryStore(mount, "artifacts", "/twinbuild/", "ns/img/abc/b1");
        Path file = Files.writeString(work.resolve("img.tar"), "content");
        String sha = Sha256.hex(file);

        StoredObject stored = store.put("img.tar", file, sha);

        assertThat(stored.location()).isEqualTo("pvc://artifacts/twinbuild/ns/img/abc/b1/img.tar");
        assertThat(mount.resolve("ns/img/abc/b1/img.tar")).hasContent("content");
        assertThat(mount.resolve("ns/img/abc/b1")).isDirectoryNotContaining("glob:**.partial");
        assertThat(store.verify(stored.location(), sha).size()).isEqualTo(7);
    }

    @Test
    void refusesWrongDigestsAndEscapingKeys() throws Exception {
        DirectoryStore store = new DirectoryStore(mount, "artifacts", null, "a");
        Path file = Files.writeString(work.resolve("img.tar"), "content");

        assertThatThrownBy(() -> store.put("img.tar", file, Sha256.EMPTY))
                .isInstanceOfSatisfying(StoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(StoreException.DIGEST_MISMATCH));
        assertThat(mount.resolve("a/img.tar")).doesNotExist();
        assertThatThrownBy(() -> store.put("../outside", file, Sha256.hex(file)))
                .isInstanceOf(StoreException.class).hasMessageContaining("not a plain file name");
        assertThatThrownBy(() -> store.verify("pvc://artifacts/missing", Sha256.EMPTY))
                .isInstanceOfSatisfying(StoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(StoreException.NOT_FOUND));
    }
}
