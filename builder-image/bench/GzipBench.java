import dev.twinbuild.pipeline.emit.ParallelGzipOutputStream;

import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The compression step of a tar.gz build on its own: compresses FILE into OUT with the same
 * {@link ParallelGzipOutputStream} (level 6, as a tar.gz output without a level) that
 * {@code twinbuild build} uses, so that run.sh can set it against {@code gzip -6 -n} on the same tar,
 * JVM start included. Its output must be byte-identical to the tar.gz that twinbuild writes.
 *
 * <p>Usage: {@code java -cp twinbuild.jar:classes GzipBench FILE OUT THREADS}
 */
public final class GzipBench {
    public static void main(String[] args) throws Exception {
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int threads = Integer.parseInt(args[2]);
        byte[] buf = new byte[1 << 18];
        try (InputStream i = Files.newInputStream(in);
             OutputStream o = new ParallelGzipOutputStream(
                     new BufferedOutputStream(Files.newOutputStream(out), 1 << 16), 6, threads)) {
            int n;
            while ((n = i.read(buf)) > 0) {
                o.write(buf, 0, n);
            }
        }
    }
}
