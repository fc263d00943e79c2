package dev.twinbuild.pipeline.tree;

import dev.twinbuild.pipeline.InputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The layer files whose contents are read again by position, each with its identity (inode, size, mtime) when
 * first seen: a file that is not the same file when the outputs have been read refuses the build.
 */
final class LayerIdentity {
    private final Map<Path, String> seen = new HashMap<>();

    /** Remembers the identity of {@code blob} when first seen. */
    void pin(Path blob) throws IOException {
        if (!seen.containsKey(blob)) {
            seen.put(blob, of(blob));
        }
    }

    boolean isEmpty() {
        return seen.isEmpty();
    }

    /** Refuses the build if one of the files is not the file first seen. */
    void checkUnchanged() throws IOException {
        for (Map.Entry<Path, String> b : seen.entrySet()) {
            if (!of(b.getKey()).equals(b.getValue())) {
                throw new InputException(b.getKey().toString(), "the input changed while the build read it");
            }
        }
    }

    private static String of(Path blob) throws IOException {
        BasicFileAttributes a = Files.readAttributes(blob, BasicFileAttributes.class);
        return a.fileKey() + " " + a.size() + " " + a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
    }
}
