package dev.twinbuild.diff;

import dev.twinbuild.pipeline.Hashes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * squashfs, ext4 and ISO 9660 images, listed by unpacking them with their own tools (unsquashfs,
 * debugfs, xorriso) into a scratch directory and reading that back. Owners survive only when the differ
 * runs as root; modes, times, links and contents always do.
 */
final class FilesystemImages {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    enum Kind { SQUASHFS, EXT4, ISO9660 }

    private FilesystemImages() {
    }

    static Kind detect(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(32774);
            if (head.length >= 4 && head[0] == 'h' && head[1] == 's' && head[2] == 'q' && head[3] == 's') {
                return Kind.SQUASHFS;
            }
            if (head.length >= 1082 && (head[1080] & 0xff) == 0x53 && (head[1081] & 0xff) == 0xef) {
                return Kind.EXT4;
            }
            if (head.length >= 32774 && new String(head, 32769, 5, StandardCharsets.US_ASCII).equals("CD001")) {
                return Kind.ISO9660;
            }
            return null;
        }
    }

    /** Unpacks the image into {@code dir} (which must not exist yet). */
    static void unpack(Kind kind, Path image, Path dir) throws IOException {
        String img = image.toAbsolutePath().toString();
        String out = dir.toAbsolutePath().toString();
        List<String> cmd = switch (kind) {
            case SQUASHFS -> List.of("unsquashfs", "-no-progress", "-quiet", "-no-xattrs", "-d", out, img);
            case EXT4 -> List.of("sh", "-c", "mkdir -p \"$1\" && debugfs -R \"rdump / $1\" \"$2\"", "sh", out, img);
            case ISO9660 -> List.of("xorriso", "-osirrox", "on", "-indev", img, "-extract", "/", out);
        };
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        try {
            Process p = pb.start();
            byte[] log = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException(cmd.get(0) + " could not unpack " + image + ": "
                        + new String(log, StandardCharsets.UTF_8).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** The unpacked tree as archive entries, names relative to its root, in path order. */
    static List<ArchiveEntryInfo> list(Kind kind, Path root, Map<String, Path> contents) throws IOException {
        List<ArchiveEntryInfo> out = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                add(d);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                add(f);
                return FileVisitResult.CONTINUE;
            }

            private void add(Path p) throws IOException {
                String rel = root.relativize(p).toString();
                if (rel.equals("lost+found")) {
                    return;
                }
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime", NOFOLLOW);
                int mode = (Integer) a.get("mode");
                String type = switch (mode & 0170000) {
                    case 0040000 -> "directory";
                    case 0120000 -> "symlink";
                    case 0020000 -> "char-device";
                    case 0060000 -> "block-device";
                    case 0010000 -> "fifo";
                    default -> "file";
                };
                String name = rel.isEmpty() ? "/" : "/" + rel;
                String link = type.equals("symlink") ? Files.readSymbolicLink(p).toString() : null;
                String sha = null;
                String preview = null;
                long size = 0;
                if (type.equals("file")) {
                    size = (Long) a.get("size");
                    sha = Hashes.sha256(p);
                    contents.put(name, p);
                    if (size <= ArchiveReader.PREVIEW_BYTES) {
                        preview = ArchiveReader.text(Files.readAllBytes(p));
                    }
                }
                long mtime = ((FileTime) a.get("lastModifiedTime")).toMillis() / 1000;
                if (kind != Kind.SQUASHFS && link != null) {
                    mtime = 0; // xorriso and debugfs rdump do not restore the times of the symlinks they extract
                }
                out.add(new ArchiveEntryInfo(out.size(), name, type, mode & 07777, ((Number) a.get("uid")).longValue(),
                        ((Number) a.get("gid")).longValue(), "", mtime, size, link, sha, preview));
            }
        });
        out.sort((x, y) -> x.name().compareTo(y.name()));
        return out;
    }
}
