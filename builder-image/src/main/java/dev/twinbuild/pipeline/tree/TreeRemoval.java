package dev.twinbuild.pipeline.tree;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * Removing a work tree: all of it ({@link #deleteTree}), or, while the outputs are being written, every entry
 * of it that no output reads any more ({@link #startExcept}), so that little is left to remove at the end.
 */
public final class TreeRemoval implements AutoCloseable {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final String prefix;
    private final List<String> paths;
    private final boolean[] dirs;
    private final Set<String> keep;
    private final Set<String> keepDirs = new HashSet<>();
    private final Thread thread;

    private TreeRemoval(Path root, List<String> paths, boolean[] dirs, Set<String> keep) {
        this.prefix = root.toString() + "/";
        this.paths = paths;
        this.dirs = dirs;
        this.keep = keep;
        for (String k : keep) {
            for (int i = k.indexOf('/'); i > 0; i = k.indexOf('/', i + 1)) {
                keepDirs.add(k.substring(0, i));
            }
        }
        thread = new Thread(this::run, "tree-removal");
        thread.setDaemon(true);
    }

    /**
     * Starts removing the entries of the tree at {@code root} on a thread of its own, what a directory holds
     * before the directory, except the files in {@code keep} and the directories on their way. Best effort:
     * whatever it cannot remove (below a directory a step made unwritable) stays for {@link #deleteTree}.
     *
     * @param paths every entry of the tree but its top (relative paths, a directory before what it holds)
     * @param dirs  which of {@code paths} are directories
     * @param keep  files an output still reads from the disk
     */
    public static TreeRemoval startExcept(Path root, List<String> paths, boolean[] dirs, Set<String> keep) {
        TreeRemoval r = new TreeRemoval(root, paths, dirs, keep);
        r.thread.start();
        return r;
    }

    private void run() {
        // one system call an entry (unlink, or rmdir after a refused unlink), no stat, no directory read
        for (int i = paths.size() - 1; i >= 0; i--) {
            String rel = paths.get(i);
            if (dirs[i] ? !keepDirs.contains(rel) : !keep.contains(rel)) {
                new File(prefix + rel).delete();
            }
        }
    }

    /**
     * Waits for the removal to end (it ends on its own, and would otherwise be left to {@link #deleteTree} right
     * after): nothing removes entries after this returns.
     */
    @Override
    public void close() {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Removes {@code p} and everything below it, without following symlinks. Directories are emptied in
     * parallel (unlinking 50k files is most of the cost of ending a build), each with one unlink or rmdir
     * per entry and no stat.
     */
    static void deleteTree(Path p) throws IOException {
        // File.delete is remove(3): one unlink (or rmdir), for files, symlinks and empty directories.
        if (p.toFile().delete()) {
            return;
        }
        if (!Files.isDirectory(p, NOFOLLOW)) {
            Files.deleteIfExists(p); // gone already, or an error worth its message
            return;
        }
        int workers = Math.min(4, Runtime.getRuntime().availableProcessors());
        if (workers < 2) {
            new Emptier(p).empty();
        } else {
            ForkJoinPool pool = new ForkJoinPool(workers);
            try {
                pool.invoke(new Emptier(p));
            } catch (UncheckedIOException e) {
                throw e.getCause();
            } finally {
                pool.shutdownNow();
            }
        }
        Files.delete(p);
    }

    /** Empties one directory: deletes its files, then its subdirectories, in parallel under a ForkJoinPool. */
    private static final class Emptier extends RecursiveAction {
        private final Path dir;

        Emptier(Path dir) {
            this.dir = dir;
        }

        @Override
        protected void compute() {
            try {
                empty();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void empty() throws IOException {
            // A directory without owner write/exec (chmod by a step) could not be emptied otherwise.
            File f = dir.toFile();
            if (!f.canWrite() || !f.canExecute()) {
                f.setWritable(true, true);
                f.setExecutable(true, true);
            }
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                s.forEach(children::add);
            }
            List<Emptier> subdirs = new ArrayList<>();
            for (Path c : children) {
                if (!c.toFile().delete()) {
                    if (Files.isDirectory(c, NOFOLLOW)) {
                        subdirs.add(new Emptier(c));
                    } else {
                        Files.delete(c);
                    }
                }
            }
            if (getPool() != null) {
                invokeAll(subdirs);
            } else {
                for (Emptier e : subdirs) {
                    e.empty();
                }
            }
            for (Emptier e : subdirs) {
                Files.delete(e.dir);
            }
        }
    }
}
