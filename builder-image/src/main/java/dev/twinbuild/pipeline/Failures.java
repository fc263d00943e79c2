package dev.twinbuild.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;

/** A failure caught on another thread, handed back to the thread that waits for it. */
public final class Failures {
    private Failures() {
    }

    /**
     * The failure as the IOException to throw: an IOException (or the one inside an UncheckedIOException) as it
     * is; runtime exceptions and errors are thrown from here unchanged; anything else is wrapped with
     * {@code message}.
     */
    public static IOException asIOException(Throwable t, String message) {
        if (t instanceof IOException io) {
            return io;
        }
        if (t instanceof UncheckedIOException u) {
            return u.getCause();
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IOException(message, t);
    }
}
