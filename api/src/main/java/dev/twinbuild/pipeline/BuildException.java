package dev.twinbuild.pipeline;

/** The build itself failed (a step exited non-zero, a tool is missing, I/O failed). */
public class BuildException extends RuntimeException {
    private final String reason;

    public BuildException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public BuildException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** A CamelCase reason for conditions and the termination message, e.g. {@code StepFailed}. */
    public String reason() {
        return reason;
    }
}
