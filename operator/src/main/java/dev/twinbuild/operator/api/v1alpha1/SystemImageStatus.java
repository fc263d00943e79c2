package dev.twinbuild.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.ArrayList;
import java.util.List;

/** Everything GitOps tools and dashboards need: they read nothing else. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"observedGeneration", "phase", "queuePosition", "specHash", "digest", "nodes", "conditions", "builds",
        "artifacts", "attestations", "mismatch", "check", "lastVerificationTime", "nextVerificationTime",
        "lastHandledReverifyAt", "reverification", "verifications"})
public class SystemImageStatus {
    public Long observedGeneration;

    public Phase phase;

    @JsonPropertyDescription("While Pending with reason Queued: its place in the build queue (1 = next to start).")
    public Integer queuePosition;

    @JsonPropertyDescription("Hash of the spec these builds belong to (label twinbuild.dev/spec-hash of the pods).")
    @Size(max = 16)
    public String specHash;

    @JsonPropertyDescription("Short SHA-256 of the first artifact, for `kubectl get si`.")
    @Size(max = 80)
    public String digest;

    @JsonPropertyDescription("The nodes the builds ran on, comma-separated, for `kubectl get si`.")
    public String nodes;

    @JsonPropertyDescription("Ready, Reconciling, Stalled (kstatus) and Reproducible; sorted by type.")
    @Size(max = 16)
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("One entry per build of the verification, by index.")
    @Size(max = 8)
    public List<BuildStatus> builds = new ArrayList<>();

    @JsonPropertyDescription("Verified outputs (their stored sha256 was checked), in spec order.")
    @Size(max = 512)
    public List<Artifact> artifacts = new ArrayList<>();

    @JsonPropertyDescription("Signed attestations of the verdict: SLSA provenance per build, and a verification"
            + " summary when the builds agreed (DSSE envelopes in the store).")
    @Size(max = 16)
    public List<Attestation> attestations = new ArrayList<>();

    @JsonPropertyDescription("Set when the builds disagree.")
    public Mismatch mismatch;

    @JsonPropertyDescription("The check pod of this spec: read-back of the stored outputs, or the mismatch diagnosis.")
    public CheckStatus check;

    @JsonPropertyDescription("When the last re-verification began (spec.verification.interval/schedule, or the "
            + "annotation twinbuild.dev/reverify-requested-at).")
    @Size(max = 40)
    public String lastVerificationTime;

    @JsonPropertyDescription("When the next scheduled re-verification is due (with this object's jitter).")
    @Size(max = 40)
    public String nextVerificationTime;

    @JsonPropertyDescription("The value of the annotation twinbuild.dev/reverify-requested-at last acted upon.")
    @Size(max = 256)
    public String lastHandledReverifyAt;

    @JsonPropertyDescription("The current or last re-verification round.")
    public ReverificationRound reverification;

    @JsonPropertyDescription("Finished re-verifications, oldest first, the last 10.")
    @Size(max = 10)
    public List<VerificationRecord> verifications = new ArrayList<>();
}
