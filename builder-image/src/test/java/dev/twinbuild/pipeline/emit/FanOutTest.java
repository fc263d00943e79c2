package dev.twinbuild.pipeline.emit;

import dev.twinbuild.pipeline.Hashes;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** One stream, several readers at their own pace: the same bytes for each, failures never read as an end. */
class FanOutTest {
    private static byte[] data(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + i / 7);
        }
        return b;
    }

    @Test
    void everyReaderGetsTheStreamFromItsOffsetAndTheDigestIsOfTheWhole() throws Exception {
        byte[] all = data(5 * FanOut.DEPTH * 1000 + 123);
        MessageDigest sha = Hashes.sha256();
        FanOut fan = new FanOut(sha);
        FanOut.Reader whole = fan.reader(0);
        FanOut.Reader tail = fan.reader(1500); // starts inside the second write
        FanOut.Reader none = fan.reader(all.length + 10); // past the end: sees only the end
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<byte[]> a = pool.submit(() -> readAll(whole, false));
            Future<byte[]> b = pool.submit(() -> readAll(tail, true));
            Future<byte[]> c = pool.submit(() -> readAll(none, false));
            for (int off = 0; off < all.length; off += 1000) {
                fan.write(all, off, Math.min(1000, all.length - off));
            }
            fan.close();
            assertThat(a.get()).isEqualTo(all);
            assertThat(b.get()).isEqualTo(Arrays.copyOfRange(all, 1500, all.length));
            assertThat(c.get()).isEmpty();
        } finally {
            pool.shutdownNow();
        }
        assertThat(sha.digest()).isEqualTo(Hashes.sha256().digest(all));
    }

    @Test
    void aFailedWriterFailsItsReaders() throws Exception {
        FanOut fan = new FanOut(null);
        FanOut.Reader r = fan.reader(0);
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try {
                return readAll(r, false);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        fan.write(data(100), 0, 100);
        fan.fail(new IOException("usr/bin/x changed while it was archived"));
        assertThatThrownBy(read::get).isInstanceOf(ExecutionException.class)
                .hasRootCauseMessage("usr/bin/x changed while it was archived")
                .hasMessageContaining("the tree could not be written out");
    }

    @Test
    void aReaderThatGivesUpNeverHoldsTheWriterBack() {
        FanOut fan = new FanOut(null);
        FanOut.Reader quits = fan.reader(0);
        FanOut.Reader stays = fan.reader(0);
        byte[] chunk = data(4096);
        int chunks = FanOut.DEPTH * 4;
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            CompletableFuture<Integer> kept = CompletableFuture.supplyAsync(() -> {
                try {
                    return readAll(stays, false).length;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            fan.write(chunk, 0, chunk.length);
            assertThat(quits.read()).isEqualTo(chunk[0] & 0xff); // takes a byte, then its consumer fails
            quits.close();
            for (int i = 1; i < chunks; i++) {
                fan.write(chunk, 0, chunk.length); // more than DEPTH chunks: would block on the closed reader
            }
            fan.close();
            assertThat(kept.get()).isEqualTo(chunks * chunk.length);
        });
    }

    @Test
    void readersComeBeforeTheFirstByte() throws IOException {
        FanOut fan = new FanOut(null);
        fan.reader(0).close();
        fan.write(1);
        assertThatThrownBy(() -> fan.reader(0)).isInstanceOf(IllegalStateException.class);
    }

    private static byte[] readAll(FanOut.Reader r, boolean byteWise) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (r) {
            if (byteWise) {
                int b;
                byte[] buf = new byte[777];
                int n;
                // mix single-byte and buffer reads
                while ((b = r.read()) >= 0) {
                    out.write(b);
                    if ((n = r.read(buf, 0, buf.length)) < 0) {
                        break;
                    }
                    out.write(buf, 0, n);
                }
            } else {
                r.transferTo(out);
            }
        }
        return out.toByteArray();
    }
}
