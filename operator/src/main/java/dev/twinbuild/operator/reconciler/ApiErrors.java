package dev.twinbuild.operator.reconciler;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * What the API server said when it refused a write (a pod create, a status patch), as a Stalled reason:
 * a ResourceQuota or Pod Security refusing the builder pod is something the namespace's owner must fix,
 * and they read the SystemImage, not the operator's log.
 */
final class ApiErrors {
    static final String QUOTA_EXCEEDED = "QuotaExceeded";
    static final String POD_SECURITY = "PodSecurityViolation";
    static final String FORBIDDEN = "Forbidden";
    static final String INVALID = "Invalid";
    static final String API_ERROR = "ApiError";
    static final String RECONCILE_ERROR = "ReconcileError";

    /**
     * @param permanent the same request will be refused again (422): retrying cannot help until the
     *                  spec (or the operator's configuration) changes
     */
    record Refusal(String reason, String message, boolean permanent) {
        /** 409: written against a stale copy; not the user's to fix. */
        boolean conflict() {
            return "Conflict".equals(reason);
        }
    }

    private ApiErrors() {
    }

    static Refusal classify(Exception e) {
        KubernetesClientException k = find(e);
        if (k == null) {
            return new Refusal(RECONCILE_ERROR, PodFailures.cap(String.valueOf(e)), false);
        }
        String server = k.getStatus() != null && k.getStatus().getMessage() != null ? k.getStatus().getMessage()
                : k.getMessage();
        String what = k.getResourcePlural() == null ? "" : k.getResourcePlural()
                + (k.getName() == null ? "" : " " + k.getName()) + ": ";
        String message = PodFailures.cap(what + "HTTP " + k.getCode() + ": " + server);
        String lower = String.valueOf(server).toLowerCase(java.util.Locale.ROOT);
        return switch (k.getCode()) {
            case 403 -> new Refusal(lower.contains("exceeded quota") ? QUOTA_EXCEEDED
                    : lower.contains("podsecurity") ? POD_SECURITY : FORBIDDEN, message, false);
            case 422 -> new Refusal(INVALID, message, true);
            case 409 -> new Refusal("Conflict", message, false);
            default -> new Refusal(API_ERROR, message, false);
        };
    }

    private static KubernetesClientException find(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k) {
                return k;
            }
        }
        return null;
    }
}
