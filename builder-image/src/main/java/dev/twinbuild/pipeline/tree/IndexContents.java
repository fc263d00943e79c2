package dev.twinbuild.pipeline.tree;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the file contents of an {@link IndexTree} lie: at their offset in an uncompressed layer (read from there
 * when an output is written), or, with no such place, appended to one spill file. A content names its file by
 * number ({@link #blob}), so that {@link NodeData} holds an int, not a path.
 */
final class IndexContents {
    private final Path spill;
    /** Layer files contents are read from by position, with their identity when first seen. */
    private final LayerIdentity blobs = new LayerIdentity();
    private final List<Path> blobList = new ArrayList<>();
    private FileChannel spillOut;
    private byte[] buffer;

    /** @param spill the file that holds contents with no place of their own (created when first needed) */
    IndexContents(Path spill) {
        this.spill = spill;
    }

    /** Remembers the identity of the layer file {@code blob} when first seen ({@link #checkUnchanged}). */
    void pin(Path blob) throws IOException {
        blobs.pin(blob);
    }

    /** Where the next content appended to the spill file starts (the file is created when first needed). */
    long spillPosition() throws IOException {
        if (spillOut == null) {
            spillOut = FileChannel.open(spill, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
        return spillOut.position();
    }

    /** Appends all of {@code content} (null: none) to the spill file; returns the byte count. */
    long spill(InputStream content) throws IOException {
        return content == null ? 0 : copy(content, spillOut);
    }

    /** Reads all of {@code content} (null: none), whose bytes lie in a layer already; returns the count. */
    long count(InputStream content) throws IOException {
        return content == null ? 0 : copy(content, null);
    }

    /** Reads all of {@code in}, appending it to {@code out} unless that is null; returns the byte count. */
    private long copy(InputStream in, FileChannel out) throws IOException {
        if (buffer == null) {
            buffer = new byte[256 * 1024];
        }
        long total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            if (out != null) {
                ByteBuffer bb = ByteBuffer.wrap(buffer, 0, n);
                while (bb.hasRemaining()) {
                    out.write(bb);
                }
            }
            total += n;
        }
        return total;
    }

    /** The number of the spill file. */
    int spillBlob() {
        return blob(spill);
    }

    /** The number of the file {@code p}, given when first asked. */
    int blob(Path p) {
        int i = blobList.indexOf(p);
        if (i < 0) {
            blobList.add(p);
            i = blobList.size() - 1;
        }
        return i;
    }

    /** The file numbered {@code blob}. */
    Path path(int blob) {
        return blobList.get(blob);
    }

    /** Refuses the build if a layer file read by position is not the file first read ({@link LayerIdentity}). */
    void checkUnchanged() throws IOException {
        blobs.checkUnchanged();
    }

    /** The spill file is complete. */
    void finish() throws IOException {
        if (spillOut != null) {
            spillOut.close();
            spillOut = null;
        }
    }
}
