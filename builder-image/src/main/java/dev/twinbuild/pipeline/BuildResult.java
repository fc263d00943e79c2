package dev.twinbuild.pipeline;

import java.nio.file.Path;
import java.util.List;

/** @param outputs in spec order; @param record the build-record.json written next to them */
public record BuildResult(List<OutputArtifact> outputs, Path record) {
}
