package dev.twinbuild.store;

/** The artifact store failed or refused; {@link #reason()} becomes the build's failure reason in status. */
public class StoreException extends RuntimeException {
    public static final String UNREACHABLE = "StoreUnreachable";
    public static final String REJECTED = "StoreRejected";
    public static final String DIGEST_MISMATCH = "StoredDigestMismatch";
    public static final String NOT_FOUND = "StoredObjectMissing";

    private final String reason;

    public StoreException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public StoreException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }

    /** Worth retrying later: the store may come back. A refusal or a wrong digest will not change. */
    public boolean isTransient() {
        return UNREACHABLE.equals(reason);
    }
}
