package dev.twinbuild.pipeline.tree;

import dev.twinbuild.pipeline.InputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The identity of a layer file whose contents are read again by position: inode, size and mtime. */
final class LayerIdentity {
    private LayerIdentity() {
    }

    static String of(Path blob) throws IOException {
        BasicFileAttributes a = Files.readAttributes(blob, BasicFileAttributes.class);
        return a.fileKey() + " " + a.size() + " " + a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
    }

    /** Refuses the build if one of {@code blobs} (file → identity when first read) is not the same file now. */
    static void check(Map<Path, String> blobs) throws IOException {
        for (Map.Entry<Path, String> b : blobs.entrySet()) {
            if (!of(b.getKey()).equals(b.getValue())) {
                throw new InputException(b.getKey().toString(), "the input changed while the build read it");
            }
        }
    }
}
