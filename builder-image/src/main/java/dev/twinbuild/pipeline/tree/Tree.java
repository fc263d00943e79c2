package dev.twinbuild.pipeline.tree;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The tree layers are applied to: a {@link Rootfs} on disk when build steps or filesystem formats need one,
 * an {@link IndexTree} of entries otherwise. Both resolve names with {@link SafePaths}, so an entry is placed,
 * or refused, the same way in either.
 */
public interface Tree {
    /** Resolves where {@code rel} lives, creating missing parent directories (root-owned, 0755). */
    String place(String rel, String what) throws IOException;

    void putFile(String real, InputStream content, long size, int mode, long uid, long gid, long mtime)
            throws IOException;

    /**
     * A file whose {@code content} also lies at {@code offset} of the (uncompressed, verified or pinned)
     * file {@code blob}: a tree that reads contents where they lie need not copy it.
     */
    default void putFileAt(String real, InputStream content, long size, Path blob, long offset, int mode, long uid,
                           long gid, long mtime) throws IOException {
        putFile(real, content, size, mode, uid, gid, mtime);
    }

    void putDir(String real, int mode, long uid, long gid, long mtime) throws IOException;

    void putSymlink(String real, String target, long uid, long gid, long mtime, String what) throws IOException;

    void putHardlink(String real, String targetReal, String what) throws IOException;

    void putSpecial(String real, EntryType type, int mode, long uid, long gid, long mtime, int major, int minor)
            throws IOException;

    /** Removes {@code real} and everything below it. */
    void remove(String real) throws IOException;

    /**
     * Starts the entries of one archive: {@link #seen} and {@link #clearChildren} then know only its entries.
     */
    void startArchive();

    /** The type of this archive's earlier entry named {@code name} (as normalised, not resolved), or null. */
    EntryType seen(String name);

    /** Records that this archive's entry {@code name}, placed at {@code real}, is in the tree. */
    void added(String name, String real, EntryType type);

    /**
     * Removes the children of a directory except those this archive added (an OCI opaque whiteout hides the
     * layers below, not its own layer).
     */
    void clearChildren(String realDir) throws IOException;

    /** Called when a layer is complete. */
    void fixDirectoryTimes() throws IOException;

    /**
     * Refuses the build if a layer file whose contents are read by position, after assembly, is not the file
     * assembly read (and whose pin it checked). Called once the outputs are written.
     */
    default void checkLayersUnchanged() throws IOException {
    }
}
