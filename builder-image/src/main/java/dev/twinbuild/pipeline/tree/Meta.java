package dev.twinbuild.pipeline.tree;

/**
 * What the disk cannot hold for an unprivileged builder: owner, special bits, device numbers.
 *
 * @param mode       permission bits (07777) the entry should carry in the outputs
 * @param diskMode   permission bits actually set on disk, to notice a step's chmod
 * @param mtime      seconds, as the layer declared it
 * @param linkTarget symlink target as written; hardlinks keep their target on disk
 */
public record Meta(EntryType type, int mode, int diskMode, long uid, long gid, long mtime, String linkTarget,
                   int devMajor, int devMinor) {
}
