package dev.twinbuild.verify;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.twinbuild.api.v1alpha1.Variation;
import dev.twinbuild.pipeline.BuildOptions.DirOrder;

import java.util.Map;
import java.util.SortedMap;

/**
 * The concrete environment of one build in a verification. Build 0 is the control; later builds vary
 * what the spec asks for. The CLI applies it to a child process, the operator to a builder pod.
 *
 * @param env            variables set (or, with a null value, removed) in the build's environment
 * @param umask          octal umask the build process starts with
 * @param buildPath      relative directory below the work root that the build runs in
 * @param clockOffsetSeconds clock shift seen by build steps
 * @param uid            user the build runs as (null: unchanged)
 * @param gid            group the build runs as (null: unchanged)
 * @param hostname       hostname (null: unchanged)
 * @param domain         domain name (null: unchanged)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = true)
public record VariationSet(int index, SortedMap<Variation, String> applied, SortedMap<String, String> env,
                           String umask, String buildPath, long clockOffsetSeconds, DirOrder dirOrder,
                           Integer cpus, Long uid, Long gid, String hostname, String domain) {

    public boolean isControl() {
        return index == 0;
    }

    /** The variations as "name: value" strings, for the build record and the status. */
    public Map<Variation, String> describe() {
        return applied;
    }
}
