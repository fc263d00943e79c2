package dev.twinbuild.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class BuildStatus {
    @JsonPropertyDescription("b<index>")
    public String name;
    public Integer index;
    public String pod;
    @JsonPropertyDescription("UID of the pod the operator created for the current attempt; no other pod counts.")
    public String podUid;
    public String node;
    public BuildPhase phase;
    @JsonPropertyDescription("Pods created for this build so far (retries included).")
    public Integer attempts;
    @JsonPropertyDescription("When the next attempt may start, after a retryable failure.")
    public String retryAfter;
    public String startTime;
    public String completionTime;
    @JsonPropertyDescription("Variations applied to this build (reprotest names); empty for the control build.")
    public Map<String, String> variations = new TreeMap<>();
    public List<BuildOutput> outputs = new ArrayList<>();
    @JsonPropertyDescription("Location of the build record (JSON) in the store.")
    public String record;
    @JsonPropertyDescription("Why the build (or its last attempt) failed.")
    public BuildFailure failure;

    public BuildPhase phaseOrPending() {
        return phase == null ? BuildPhase.Pending : phase;
    }

    public int attemptsOrZero() {
        return attempts == null ? 0 : attempts;
    }
}
