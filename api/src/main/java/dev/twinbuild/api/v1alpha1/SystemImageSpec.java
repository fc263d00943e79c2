package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

import java.util.ArrayList;
import java.util.List;

/** The image definition shared by the CLI and the operator's CRD (generated from these types). */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class SystemImageSpec {
    @Required
    @Min(0)
    @JsonPropertyDescription("Seconds since the epoch; every timestamp in the outputs is clamped to it.")
    public Long sourceDateEpoch;

    @Required
    @Size(min = 1, max = 256)
    @JsonPropertyDescription("Applied in order; later layers win; OCI whiteouts (.wh.*) are honoured.")
    public List<Layer> layers = new ArrayList<>();

    @JsonPropertyDescription("Build steps, run in order with /bin/sh; ROOTFS points at the tree.")
    @Size(max = 256)
    public List<Step> steps = new ArrayList<>();

    @JsonPropertyDescription("Globs of paths removed from the tree before the outputs are made.")
    @Size(max = 1024)
    public List<@Size(max = 4096) String> exclude = new ArrayList<>();

    @JsonPropertyDescription("Globs of regular files kept but emptied (e.g. /etc/machine-id).")
    @Size(max = 1024)
    public List<@Size(max = 4096) String> emptyFiles = new ArrayList<>();

    @JsonPropertyDescription("Normalisers for files that build steps generate nondeterministically.")
    @Size(max = 256)
    public List<Normalizer> normalize = new ArrayList<>();

    @Required
    @Size(min = 1, max = 64)
    public List<Output> outputs = new ArrayList<>();

    public Verification verification;

    @JsonPropertyDescription("The lock of the packages layers in a cluster: a ConfigMap of this namespace, pinned "
            + "by SHA-256 (the CLI checks the digest against FILE.lock.json).")
    public PackageLockRef packageLock;

    @JsonPropertyDescription("Keep character and block device nodes found in tar layers; refused otherwise.")
    public Boolean allowDevices;

    @JsonPropertyDescription("Builder container image; defaults to the operator's configured image.")
    @Size(max = 1024)
    public String builderImage;

    @JsonPropertyDescription("Where builds upload their artifacts; defaults to the operator's configured store.")
    public ArtifactStore store;

    /**
     * The spec without its re-verification schedule: what the spec hash covers and builders get, so that
     * changing when an image is checked again neither rebuilds it nor changes its build record.
     */
    public SystemImageSpec buildDefinition() {
        if (verification == null) {
            return this;
        }
        // A copy through JSON: a field added to the spec later is covered without touching this method.
        SystemImageSpec copy = dev.twinbuild.manifest.Manifests.json().convertValue(this, SystemImageSpec.class);
        Verification v = verification.buildDefinition();
        copy.verification = v.builds == null && v.timeoutSeconds == null
                && (v.variations == null || v.variations.isEmpty()) ? null : v;
        return copy;
    }

    public Verification verificationOrDefault() {
        return verification != null ? verification : new Verification();
    }
}
