package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * Where a cluster build finds the lock of the packages layers ({@code twinbuild lock}'s FILE.lock.json): a
 * ConfigMap of the SystemImage's own namespace, pinned by the SHA-256 of the lock's bytes. The digest is part
 * of the spec, so the spec hash covers the lock; the operator only mounts the ConfigMap, the builder checks
 * the digest before it reads the lock.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class PackageLockRef {
    public static final String NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    public static final String KEY = "^[-._a-zA-Z0-9]+$";

    @JsonPropertyDescription("The ConfigMap (in the SystemImage's namespace) and its key holding the lock; "
            + "the CLI reads FILE.lock.json beside the manifest instead.")
    public ConfigMapKey configMapRef;

    @Required
    @Pattern(Patterns.SHA256)
    @Size(max = 64)
    @JsonPropertyDescription("SHA-256 of the lock file's bytes (twinbuild lock prints it); a lock with another "
            + "digest is refused.")
    public String sha256;

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder(alphabetic = true)
    public static class ConfigMapKey {
        @Required
        @Pattern(NAME)
        @Size(max = 253)
        public String name;

        @Required
        @Pattern(KEY)
        @Size(max = 253)
        public String key;
    }
}
