package dev.twinbuild.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Size;

/**
 * The generation's check pod: it reads every stored output back before a Reproducible verdict
 * ({@link #READ_BACK}), or diagnoses an Unreproducible one after the verdict is written ({@link #DIAGNOSIS}).
 * A final phase here means the check is done: a restarted operator does not run it again.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = true)
public class CheckStatus {
    public static final String READ_BACK = "ReadBack";
    public static final String DIAGNOSIS = "Diagnosis";

    @JsonPropertyDescription("ReadBack (before a Reproducible verdict) or Diagnosis (after an Unreproducible one).")
    @Size(max = 16)
    public String purpose;

    @Size(max = 63)
    public String pod;

    @JsonPropertyDescription("UID of the pod the operator created; another pod of that name does not count.")
    @Size(max = 64)
    public String podUid;

    public BuildPhase phase;

    public Integer attempts;

    @Size(max = 40)
    public String retryAfter;

    @JsonPropertyDescription("How many stored copies the pod read back and found as their builds reported.")
    public Integer verified;

    @JsonPropertyDescription("Why the check failed, or what a partial diagnosis left out.")
    @Size(max = 4096)
    public String message;

    public CheckStatus() {
    }

    public CheckStatus(String purpose, String pod) {
        this.purpose = purpose;
        this.pod = pod;
        this.phase = BuildPhase.Pending;
        this.attempts = 0;
    }

    @JsonIgnore
    public boolean isFinal() {
        return phase != null && phase.isFinal();
    }

    @JsonIgnore
    public int attemptsOrZero() {
        return attempts == null ? 0 : attempts;
    }
}
