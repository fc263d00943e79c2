package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

import java.util.Map;
import java.util.TreeMap;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class Step {
    @Required
    @Pattern("^[a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?$")
    @Size(max = 63)
    public String name;

    @Required
    @JsonPropertyDescription("Shell script run with /bin/sh -eu; ROOTFS, SCRATCH and SOURCE_DATE_EPOCH are set.")
    @Size(max = 65536)
    public String run;

    @JsonPropertyDescription("Run inside the tree (chroot-style); the tree must then provide /bin/sh.")
    public Boolean chroot;

    @JsonPropertyDescription("Extra environment variables for this step.")
    @Size(max = 256)
    public Map<String, @Size(max = 16384) String> env = new TreeMap<>();

    public boolean chrooted() {
        return Boolean.TRUE.equals(chroot);
    }
}
