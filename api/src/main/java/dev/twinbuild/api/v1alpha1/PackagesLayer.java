package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

import java.util.ArrayList;
import java.util.List;

/**
 * A root filesystem installed from a distribution's packages. {@code twinbuild lock} resolves it against the
 * mirror into a lock file that pins every package by SHA-256; builds install only what the lock names.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class PackagesLayer {
    public static final String DEFAULT_DEBIAN_MIRROR = "http://deb.debian.org/debian";

    @JsonPropertyDescription("Package format and tooling; default debian (mmdebstrap, apt, dpkg).")
    public PackageDistribution distribution;

    @Required
    @Pattern("^[a-z0-9][a-z0-9.+-]{0,63}$")
    @JsonPropertyDescription("Suite or codename, e.g. bookworm.")
    public String suite;

    @Pattern("^https?://[^\\s\"'\\\\]+$")
    @JsonPropertyDescription("Mirror the lock is resolved against; default http://deb.debian.org/debian.")
    public String mirror;

    @Size(max = 16)
    @JsonPropertyDescription("Archive components; default [main].")
    public List<String> components = new ArrayList<>();

    @Pattern("^[a-z0-9]{1,16}$")
    @JsonPropertyDescription("Architecture; default amd64 (the builder's own: maintainer scripts run natively).")
    public String architecture;

    @JsonPropertyDescription("Base set: essential, apt, required, minbase (= required, the default), important, "
            + "standard (mmdebstrap's variants). Recommends are never installed.")
    public PackageVariant variant;

    @Size(max = 1024)
    @JsonPropertyDescription("Packages installed on top of the variant's set.")
    public List<String> packages = new ArrayList<>();

    @Size(max = 256)
    @JsonPropertyDescription("dpkg path filters in order, e.g. 'path-exclude=/usr/share/doc/*' or "
            + "'path-include=/usr/share/doc/*/copyright'; the last match wins.")
    public List<String> pathFilters = new ArrayList<>();

    public PackageDistribution distributionOrDefault() {
        return distribution != null ? distribution : PackageDistribution.debian;
    }

    public String mirrorOrDefault() {
        return mirror != null ? mirror : DEFAULT_DEBIAN_MIRROR;
    }

    public List<String> componentsOrDefault() {
        return components == null || components.isEmpty() ? List.of("main") : components;
    }

    public String architectureOrDefault() {
        return architecture != null ? architecture : "amd64";
    }

    public PackageVariant variantOrDefault() {
        return variant != null ? variant : PackageVariant.minbase;
    }
}
