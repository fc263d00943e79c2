package dev.twinbuild.pipeline.tree;

import java.nio.file.Path;

/**
 * What the disk cannot hold for an unprivileged builder: owner, special bits, device numbers; and where a
 * regular file's content also lies in an uncompressed layer.
 *
 * @param mode       permission bits (07777) the entry should carry in the outputs
 * @param diskMode   permission bits actually set on disk, to notice a step's chmod
 * @param mtime      seconds, as the layer declared it
 * @param linkTarget symlink target as written; hardlinks keep their target on disk
 * @param blob       the layer file that holds this file's content at {@code offset} (as written to disk), or
 *                   null: an output may read it from there while the file on disk is as assembly left it
 */
public record Meta(EntryType type, int mode, int diskMode, long uid, long gid, long mtime, String linkTarget,
                   int devMajor, int devMinor, Path blob, long offset) {
    public Meta(EntryType type, int mode, int diskMode, long uid, long gid, long mtime, String linkTarget,
                int devMajor, int devMinor) {
        this(type, mode, diskMode, uid, gid, mtime, linkTarget, devMajor, devMinor, null, -1);
    }
}
