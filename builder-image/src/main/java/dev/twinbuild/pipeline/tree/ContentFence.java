package dev.twinbuild.pipeline.tree;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * The moment assembly ended, on the clock the kernel stamps inode changes with (ctime). Every change to a file
 * (content, mode, times, links, a rename onto its name) sets its ctime to the current time, and no system call
 * sets it to anything else; so a file of the tree whose ctime is not after the fence is exactly as assembly
 * wrote it, and an output may read its content from the layer it came from instead of the disk.
 *
 * <p>The kernel's clock for ctime is coarse (a scheduler tick): the fence waits until that clock has moved past
 * the last tick of assembly, so that nothing a build step changes can carry the same ctime. Where it does not
 * move within {@link #PATIENCE_NANOS} (a filesystem with timestamps in seconds), there is no fence and every
 * content is read from the disk.
 */
public final class ContentFence {
    static final long PATIENCE_NANOS = 200_000_000L;
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final Path outside;
    private final FileTime fence;

    private ContentFence(Path outside, FileTime fence) {
        this.outside = outside;
        this.fence = fence;
    }

    /**
     * Sets the fence now, with marker files in the tree's top directory {@code root} (on its filesystem, with its
     * timestamp granularity; removed again, and the directory's own times are restored afterwards by the
     * caller), or returns null if the filesystem's ctime did not advance in time.
     */
    static ContentFence set(Path root) throws IOException {
        FileTime last = stamp(root);
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (System.nanoTime() < deadline) {
            FileTime now = stamp(root);
            if (now.compareTo(last) > 0) {
                return new ContentFence(root.getParent(), last);
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    /** The ctime a new inode gets now. */
    private static FileTime stamp(Path dir) throws IOException {
        Path marker = Files.createTempFile(dir, ".fence-", null);
        try {
            return (FileTime) Files.getAttribute(marker, "unix:ctime", NOFOLLOW);
        } finally {
            Files.delete(marker);
        }
    }

    /**
     * Whether the clock is still past the fence: false if it was set back since (then ctimes prove nothing and
     * the scan reads every content from the disk). Its marker goes next to the tree, not into it: the scan reads
     * the top directory's time.
     */
    public boolean holds() throws IOException {
        return stamp(outside).compareTo(fence) > 0;
    }

    /** Whether an inode with this ctime was last changed before the fence (during assembly). */
    public boolean before(FileTime ctime) {
        return ctime.compareTo(fence) <= 0;
    }
}
