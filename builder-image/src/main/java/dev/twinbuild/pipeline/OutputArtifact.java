package dev.twinbuild.pipeline;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** One file a build produced: what the operator compares between builds and records in status. */
@JsonPropertyOrder(alphabetic = true)
public record OutputArtifact(String format, String file, String sha256, long size) {
}
