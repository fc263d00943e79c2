package dev.twinbuild.pipeline.assemble;

/**
 * Bounds on what one input archive may unpack to; past them the archive is refused as hostile.
 *
 * @param maxEntries      entries in one archive
 * @param maxEntryBytes   declared size of one entry
 * @param maxTotalBytes   decompressed bytes of one archive
 * @param maxRatio        decompressed / compressed bytes, checked once past {@code ratioGraceBytes}
 */
public record ArchiveLimits(long maxEntries, long maxEntryBytes, long maxTotalBytes, long maxRatio,
                            long ratioGraceBytes) {
    public static final ArchiveLimits DEFAULT = new ArchiveLimits(4_000_000, 32L << 30, 128L << 30, 1000, 64L << 20);
}
