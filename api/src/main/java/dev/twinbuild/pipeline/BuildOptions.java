package dev.twinbuild.pipeline;

import java.nio.file.Path;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How one build runs, as opposed to what it builds (the spec). Nothing here may change the output bytes:
 * the variations of a verification reach the pipeline through these options and must not leak.
 *
 * @param workDir       private scratch space; the rootfs and the fetch cache live below it unless set
 * @param cacheDir      content-addressed cache of fetched inputs (sha256/&lt;hex&gt;), shareable between builds
 * @param clockOffsetSeconds shifts the clock that build steps see (libfaketime), the "time" variation
 * @param dirOrder      order in which directories are read from disk, the "fileordering" variation
 * @param threads       worker threads for compression, the "num_cpus" variation
 * @param cpus          CPUs build steps may use (taskset), null for all; the "num_cpus" variation
 * @param variations    what this build varies, recorded in the build record
 */
public record BuildOptions(Path workDir, Path cacheDir, long clockOffsetSeconds, DirOrder dirOrder, int threads,
                           Integer cpus, SortedMap<String, String> variations) {

    public enum DirOrder { NATURAL, REVERSE }

    public static BuildOptions defaults(Path workDir) {
        return new BuildOptions(workDir, workDir.resolve("cache"), 0, DirOrder.NATURAL,
                Runtime.getRuntime().availableProcessors(), null, new TreeMap<>());
    }
}
