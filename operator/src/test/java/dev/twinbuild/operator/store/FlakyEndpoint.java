package dev.twinbuild.operator.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP endpoint in front of a real S3 server that misbehaves on purpose: it answers the first
 * {@code outages} connections with 503 (an outage that ends), or, when {@code stall} is set, accepts every
 * connection and never answers. Otherwise it forwards bytes both ways unchanged (signatures stay valid:
 * the Host header is the one the client signed).
 */
final class FlakyEndpoint implements AutoCloseable {
    private final ServerSocket server;
    private final URI target;
    private final boolean stall;
    private final AtomicInteger outages;
    final AtomicInteger connections = new AtomicInteger();

    FlakyEndpoint(URI target, int outages, boolean stall) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.target = target;
        this.stall = stall;
        this.outages = new AtomicInteger(outages);
        Thread t = new Thread(this::acceptLoop, "flaky-endpoint");
        t.setDaemon(true);
        t.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                if (stall) {
                    continue; // accepted, never answered (the socket is left open)
                }
                if (outages.getAndDecrement() > 0) {
                    try (s) {
                        s.getInputStream().read(new byte[8192]);
                        s.getOutputStream().write(("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                    continue;
                }
                Socket up = new Socket(target.getHost(), target.getPort());
                pipe(s.getInputStream(), up.getOutputStream(), s, up);
                pipe(up.getInputStream(), s.getOutputStream(), s, up);
            } catch (IOException e) {
                // closed, or a connection went away: next
            }
        }
    }

    private static void pipe(InputStream in, OutputStream out, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(out);
            } catch (IOException ignored) {
                // one side closed
            } finally {
                try {
                    a.close();
                    b.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }, "flaky-pipe");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
