package dev.twinbuild.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Size;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class BuildStatus {
    @JsonPropertyDescription("b<index>")
    @Size(max = 8)
    public String name;
    public Integer index;
    @Size(max = 63)
    public String pod;
    @JsonPropertyDescription("UID of the pod the operator created for the current attempt; no other pod counts.")
    @Size(max = 64)
    public String podUid;
    @Size(max = 253)
    public String node;
    public BuildPhase phase;
    @JsonPropertyDescription("Pods created for this build so far (retries included).")
    public Integer attempts;
    @JsonPropertyDescription("When the next attempt may start, after a retryable failure.")
    @Size(max = 64)
    public String retryAfter;
    @Size(max = 64)
    public String startTime;
    @Size(max = 64)
    public String completionTime;
    @JsonPropertyDescription("Variations applied to this build (reprotest names); empty for the control build.")
    @Size(max = 32)
    public Map<String, @Size(max = 256) String> variations = new TreeMap<>();
    @Size(max = 64)
    public List<BuildOutput> outputs = new ArrayList<>();
    @JsonPropertyDescription("Location of the build record (JSON) in the store.")
    @Size(max = 2048)
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
