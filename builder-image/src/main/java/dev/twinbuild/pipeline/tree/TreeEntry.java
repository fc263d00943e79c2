package dev.twinbuild.pipeline.tree;

import java.nio.file.Path;

/**
 * One normalised entry of the final tree, as every output format writes it.
 *
 * @param path     relative path without leading "./" or "/", "" for the root
 * @param source   file holding the content (regular files), null when empty
 * @param linkTarget symlink target, or for HARDLINK the path of the first entry of its group
 */
public record TreeEntry(String path, EntryType type, int mode, long uid, long gid, long mtime, long size,
                        String linkTarget, int devMajor, int devMinor, Path source) {

    public boolean isRoot() {
        return path.isEmpty();
    }

    public TreeEntry withContent(Path newSource, long newSize) {
        return new TreeEntry(path, type, mode, uid, gid, mtime, newSize, linkTarget, devMajor, devMinor, newSource);
    }

    public String name() {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }
}
