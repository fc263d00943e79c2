package dev.twinbuild.pipeline;

/** The definition or one of its inputs is wrong: the user must fix it (CLI exit 2, operator Stalled). */
public class InputException extends RuntimeException {
    private final String field;

    public InputException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public InputException(String field, String message, Throwable cause) {
        super(field + ": " + message, cause);
        this.field = field;
    }

    /** The spec field or archive entry at fault, e.g. {@code spec.layers[0].tar.sha256}. */
    public String field() {
        return field;
    }
}
