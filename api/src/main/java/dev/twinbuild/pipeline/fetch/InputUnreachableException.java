package dev.twinbuild.pipeline.fetch;

import dev.twinbuild.pipeline.BuildException;

/**
 * An input could not be fetched because its server did not answer, or answered 429/5xx, through every
 * retry: nothing says the input is wrong, so this is never reported as bad input. The CLI exits 4
 * (retry later); the operator retries the build with backoff and, if that fails too, says
 * {@code InputUnreachable}.
 */
public class InputUnreachableException extends BuildException {
    public static final String REASON = "InputUnreachable";

    private final String field;

    public InputUnreachableException(String field, String message, Throwable cause) {
        super(REASON, field + ": " + message, cause);
        this.field = field;
    }

    /** The spec field whose input could not be reached, e.g. {@code spec.layers[0].tar.url}. */
    public String field() {
        return field;
    }
}
