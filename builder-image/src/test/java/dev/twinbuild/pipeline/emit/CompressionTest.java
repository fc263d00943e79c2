package dev.twinbuild.pipeline.emit;

import com.github.luben.zstd.ZstdOutputStream;
import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.pipeline.BuildOptions;
import dev.twinbuild.pipeline.BuildResult;
import dev.twinbuild.pipeline.Hashes;
import dev.twinbuild.pipeline.OutputArtifact;
import dev.twinbuild.pipeline.Pipeline;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The output compressors: same bytes whatever the number of threads, and readable by the real gzip and zstd.
 */
class CompressionTest {
    private static final int BLOCK = ParallelGzipOutputStream.BLOCK;

    /** ~5 MB: random, text, zeros, and a random run repeated across a block boundary (cross-block matches). */
    private static byte[] mixed;

    @TempDir
    Path tmp;

    @BeforeAll
    static void data() {
        Random r = new Random(42);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] random = new byte[1_000_003];
        r.nextBytes(random);
        b.writeBytes(random);
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 2_000_000; i++) {
            text.append("line ").append(i).append(": the quick brown fox ").append(r.nextInt(1000)).append('\n');
        }
        b.writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
        b.writeBytes(new byte[700_001]);
        byte[] run = new byte[20_000];
        r.nextBytes(run);
        // Place the run so that its second copy starts just before a block boundary.
        int pad = BLOCK - (b.size() % BLOCK) - 30_000;
        b.writeBytes(new byte[pad < 0 ? pad + BLOCK : pad]);
        b.writeBytes(run);
        b.writeBytes(Arrays.copyOf(run, 5_000));
        b.writeBytes(run);
        byte[] tail = new byte[1_200_017];
        r.nextBytes(tail);
        for (int i = 0; i < tail.length; i += 3) {
            tail[i] = 'a'; // partly compressible
        }
        b.writeBytes(tail);
        mixed = b.toByteArray();
    }

    // ---------------------------------------------------------------- helpers

    private static byte[] gzip(byte[] data, int threads, int level, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ParallelGzipOutputStream gz = new ParallelGzipOutputStream(out, level, threads)) {
            for (int off = 0; off < data.length; off += chunk) {
                gz.write(data, off, Math.min(chunk, data.length - off));
            }
        }
        return out.toByteArray();
    }

    private static byte[] gunzipJava(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    private byte[] tool(byte[] input, String... cmd) throws IOException, InterruptedException {
        Path in = Files.write(Files.createTempFile(tmp, "in", ""), input);
        Process p = new ProcessBuilder(cmd).redirectInput(in.toFile()).start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t = new Thread(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException ignored) {
                // process ended
            }
        });
        t.start();
        byte[] out = p.getInputStream().readAllBytes();
        int exit = p.waitFor();
        t.join();
        assertThat(exit).as("%s: %s", String.join(" ", cmd), err.toString(StandardCharsets.UTF_8)).isZero();
        return out;
    }

    /** The zstd stream as {@link Outputs} configures it for tar.zst. */
    private static byte[] zstd(byte[] data, int level, int workers, Integer jobSize, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZstdOutputStream z = new ZstdOutputStream(out, level)) {
            z.setWorkers(workers);
            z.setChecksum(true);
            if (jobSize != null) {
                z.setJobSize(jobSize);
            }
            for (int off = 0; off < data.length; off += chunk) {
                z.write(data, off, Math.min(chunk, data.length - off));
            }
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- parallel gzip

    @Test
    void parallelGzipIsTheSameForOneTwoAndFourThreadsAndDecodesWithJavaAndGnuGzip() throws Exception {
        byte[] one = gzip(mixed, 1, 6, 65_536);
        byte[] two = gzip(mixed, 2, 6, 65_536);
        byte[] four = gzip(mixed, 4, 6, 65_536);
        // Write sizes must not matter either: odd chunks that straddle every block boundary.
        byte[] oddChunks = gzip(mixed, 4, 6, 7_919);

        assertThat(mixed.length).isGreaterThan(5_000_000).isGreaterThan(30 * BLOCK);
        assertThat(two).isEqualTo(one);
        assertThat(four).isEqualTo(one);
        assertThat(oddChunks).isEqualTo(one);
        assertThat(Arrays.copyOf(one, 10)).as("header: no name, no comment, mtime 0, OS Unix")
                .containsExactly(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3);
        assertThat(gunzipJava(one)).isEqualTo(mixed);
        assertThat(tool(one, "gzip", "-dc")).isEqualTo(mixed);
        // It compresses (the random parts aside) about as well as gzip itself.
        byte[] reference = tool(mixed, "gzip", "-6", "-n", "-c");
        assertThat((double) one.length).isLessThan(reference.length * 1.05);
    }

    /**
     * The blocks the threads get in batches are the blocks the format defines: byte for byte what deflating
     * each 128 KiB block on its own (the previous 32 KiB as dictionary, a sync flush, the last one finished)
     * gives, around batch boundaries too.
     */
    @Test
    void parallelGzipIsBlockByBlockDeflateWhateverTheBatching() throws Exception {
        int batch = ParallelGzipOutputStream.BATCH * BLOCK;
        Random r = new Random(11);
        for (int size : new int[]{batch - 1, batch, batch + 1, 2 * batch + BLOCK + 5}) {
            byte[] data = new byte[size];
            r.nextBytes(data);
            for (int i = 0; i < size; i += 3) {
                data[i] = (byte) (i % 5);
            }
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.writeBytes(new byte[]{0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3});
            for (int start = 0; ; start += BLOCK) {
                boolean last = size - start < BLOCK;
                java.util.zip.Deflater d = new java.util.zip.Deflater(6, true);
                if (start > 0) {
                    d.setDictionary(data, start - 32 * 1024, 32 * 1024);
                }
                d.setInput(data, start, last ? size - start : BLOCK);
                byte[] buf = new byte[1 << 20];
                if (last) {
                    d.finish();
                    while (!d.finished()) {
                        expected.write(buf, 0, d.deflate(buf));
                    }
                } else {
                    expected.write(buf, 0, d.deflate(buf, 0, buf.length, java.util.zip.Deflater.SYNC_FLUSH));
                }
                d.end();
                if (last) {
                    break;
                }
            }
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(data);
            long c = crc.getValue();
            expected.writeBytes(new byte[]{(byte) c, (byte) (c >> 8), (byte) (c >> 16), (byte) (c >> 24),
                    (byte) size, (byte) (size >> 8), (byte) (size >> 16), (byte) (size >> 24)});
            assertThat(gzip(data, 1, 6, 100_000)).as("size %d, 1 thread", size).isEqualTo(expected.toByteArray());
            assertThat(gzip(data, 3, 6, 100_000)).as("size %d, 3 threads", size).isEqualTo(expected.toByteArray());
        }
    }

    @Test
    void parallelGzipOfTinyAndBoundarySizedInputs() throws Exception {
        Random r = new Random(7);
        for (int size : new int[]{0, 1, 100, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, 3 * BLOCK + 12_345}) {
            byte[] data = new byte[size];
            r.nextBytes(data);
            for (int i = 0; i < size; i += 2) {
                data[i] = (byte) (i % 7); // half random, half pattern
            }
            byte[] one = gzip(data, 1, 6, 4096);
            assertThat(gzip(data, 2, 6, 4096)).as("size %d, 2 threads", size).isEqualTo(one);
            assertThat(gzip(data, 4, 6, size == 0 ? 1 : size)).as("size %d, 4 threads", size).isEqualTo(one);
            assertThat(gunzipJava(one)).as("size %d", size).isEqualTo(data);
            assertThat(tool(one, "gzip", "-dc")).as("size %d", size).isEqualTo(data);
            // ISIZE trailer
            int n = one.length;
            long isize = (one[n - 4] & 0xffL) | (one[n - 3] & 0xffL) << 8 | (one[n - 2] & 0xffL) << 16
                    | (one[n - 1] & 0xffL) << 24;
            assertThat(isize).isEqualTo(size);
        }
        // Single-byte writes take the same path.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ParallelGzipOutputStream gz = new ParallelGzipOutputStream(out, 6, 2)) {
            for (byte b : "tiny".getBytes(StandardCharsets.US_ASCII)) {
                gz.write(b);
            }
        }
        assertThat(out.toByteArray()).isEqualTo(gzip("tiny".getBytes(StandardCharsets.US_ASCII), 1, 6, 4));
    }

    @Test
    void parallelGzipAtOtherLevelsIsAlsoThreadIndependent() throws Exception {
        byte[] part = Arrays.copyOf(mixed, 1_500_000);
        for (int level : new int[]{1, 9}) {
            byte[] one = gzip(part, 1, level, 65_536);
            assertThat(gzip(part, 3, level, 65_536)).as("level %d", level).isEqualTo(one);
            assertThat(tool(one, "gzip", "-dc")).isEqualTo(part);
        }
    }

    // ---------------------------------------------------------------- zstd

    @Test
    void zstdAsConfiguredForTarZstIsTheSameForOneAndTwoWorkersAndDecodesWithGnuZstd() throws Exception {
        // Level 19 is slow: 600 kB (text and random) keeps this quick. With its default job size (32 MiB)
        // this is one job; several jobs are the next test.
        byte[] part = Arrays.copyOfRange(mixed, 700_000, 1_300_000);
        byte[] one = zstd(part, 19, 1, null, 65_536);
        byte[] two = zstd(part, 19, 2, null, 65_536);

        assertThat(two).as("zstd level 19, workers 1 vs 2").isEqualTo(one);
        assertThat(tool(one, "zstd", "-dc")).isEqualTo(part);
        tool(one, "zstd", "-t", "-q");
    }

    @Test
    void zstdWithSeveralJobsIsTheSameForOneTwoAndFourWorkers() throws Exception {
        // Level 1 jobs are 2 MiB: ~5.5 MB is three jobs, compressed in parallel with 2 and 4 workers.
        byte[] one = zstd(mixed, 1, 1, null, 65_536);
        byte[] two = zstd(mixed, 1, 2, null, 65_536);
        byte[] four = zstd(mixed, 1, 4, null, 7_919);
        // Level 5 with the smallest job size (512 KiB): eleven jobs.
        byte[] small1 = zstd(mixed, 5, 1, 512 * 1024, 65_536);
        byte[] small2 = zstd(mixed, 5, 2, 512 * 1024, 65_536);

        assertThat(two).as("level 1, workers 1 vs 2").isEqualTo(one);
        assertThat(four).as("level 1, workers 1 vs 4 (other write sizes)").isEqualTo(one);
        assertThat(small2).as("level 5, 512 KiB jobs, workers 1 vs 2").isEqualTo(small1);
        // The workers really are in play: zstd's single-threaded mode (0 workers) cuts the data differently.
        assertThat(zstd(mixed, 1, 0, null, 65_536)).as("workers 0 vs 1").isNotEqualTo(one);
        assertThat(tool(one, "zstd", "-dc")).isEqualTo(mixed);
        assertThat(tool(small1, "zstd", "-dc")).isEqualTo(mixed);
    }

    // ---------------------------------------------------------------- through the pipeline

    @Test
    void pipelineOutputsAreTheSameForOneAndFourThreads() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("usr/share/data"));
        Files.write(root.resolve("usr/share/data/mixed.bin"), Arrays.copyOf(mixed, 700_000));
        for (int i = 0; i < 50; i++) {
            Files.writeString(root.resolve("usr/share/data/f" + i + ".txt"), ("file " + i + "\n").repeat(i * 10));
        }
        Path def = Files.createDirectories(tmp.resolve("def"));
        Process p = new ProcessBuilder("tar", "--owner=0", "--group=0", "-cf", def.resolve("in.tar").toString(), "-C",
                root.toString(), ".").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        String yaml = """
                apiVersion: twinbuild.dev/v1alpha1
                kind: SystemImage
                metadata: {name: threads}
                spec:
                  sourceDateEpoch: 1700000000
                  layers:
                    - tar: {url: in.tar, sha256: "%s"}
                  outputs:
                    - format: tar.gz
                    - format: cpio.gz
                    - format: tar.zst
                      level: 1
                """.formatted(Hashes.sha256(def.resolve("in.tar")));
        Path cache = tmp.resolve("cache");
        Map<Integer, Map<String, String>> byThreads = new TreeMap<>();
        for (int threads : new int[]{1, 4}) {
            Path work = tmp.resolve("work" + threads);
            BuildOptions o = new BuildOptions(work, cache, 0, BuildOptions.DirOrder.NATURAL, threads, null,
                    new TreeMap<>());
            BuildResult r = Pipeline.build(Manifests.parse(yaml, "test"), def, tmp.resolve("out" + threads), o);
            byThreads.put(threads, r.outputs().stream()
                    .collect(Collectors.toMap(OutputArtifact::file, OutputArtifact::sha256, (x, y) -> x, TreeMap::new)));
        }

        assertThat(byThreads.get(1)).containsOnlyKeys("threads.tar.gz", "threads.cpio.gz", "threads.tar.zst");
        assertThat(byThreads.get(4)).isEqualTo(byThreads.get(1));
        // And the real tools read them.
        Path out = tmp.resolve("out4");
        byte[] tarFromGz = tool(Files.readAllBytes(out.resolve("threads.tar.gz")), "gzip", "-dc");
        byte[] tarFromZst = tool(Files.readAllBytes(out.resolve("threads.tar.zst")), "zstd", "-dc");
        assertThat(tarFromZst).isEqualTo(tarFromGz);
        String listing = new String(tool(tarFromGz, "tar", "-tf", "-"), StandardCharsets.UTF_8);
        assertThat(listing).contains("./usr/share/data/mixed.bin", "./usr/share/data/f49.txt");
        assertThat(tool(tarFromGz, "tar", "-xOf", "-", "./usr/share/data/mixed.bin"))
                .isEqualTo(Arrays.copyOf(mixed, 700_000));
        String cpio = new String(tool(tool(Files.readAllBytes(out.resolve("threads.cpio.gz")), "gzip", "-dc"),
                "cpio", "-t", "--quiet"), StandardCharsets.UTF_8);
        assertThat(cpio.lines().toList()).contains("usr/share/data/mixed.bin");
    }
}
