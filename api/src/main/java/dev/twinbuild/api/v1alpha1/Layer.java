package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.List;

/** One layer of the rootfs: exactly one of tar, oci, files or packages. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
// Arithmetic, not a list filter: the API server refuses the filter form as over its CEL cost budget.
@ValidationRule(value = "(has(self.tar) ? 1 : 0) + (has(self.oci) ? 1 : 0) + (has(self.files) ? 1 : 0)"
        + " + (has(self.packages) ? 1 : 0) == 1",
        message = "a layer needs exactly one of tar, oci, files or packages")
public class Layer {
    public TarLayer tar;
    public OciLayer oci;
    @Size(max = 4096)
    public List<InlineFile> files;
    @JsonPropertyDescription("Installs a distribution's packages, pinned by the lock file (twinbuild lock).")
    public PackagesLayer packages;

    public String kind() {
        return tar != null ? "tar" : oci != null ? "oci" : packages != null ? "packages" : "files";
    }
}
