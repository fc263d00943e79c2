package dev.twinbuild.operator.reconciler;

import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.redaction.Redaction;
import io.fabric8.kubernetes.api.model.Condition;

/** The status is public to everyone who can read the SystemImage: its messages are redacted before it is written. */
final class StatusRedaction {
    private StatusRedaction() {
    }

    static void apply(SystemImageStatus status) {
        for (Condition c : status.conditions) {
            c.setMessage(Redaction.redact(c.getMessage()));
        }
        for (BuildStatus b : status.builds) {
            if (b.failure != null) {
                b.failure.message = Redaction.redact(b.failure.message);
            }
        }
        if (status.check != null && status.check.message != null) {
            status.check.message = Redaction.redact(status.check.message);
        }
    }
}
