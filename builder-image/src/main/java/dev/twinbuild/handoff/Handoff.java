package dev.twinbuild.handoff;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinbuild.pipeline.BuildException;
import dev.twinbuild.pipeline.OutputArtifact;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * What the build container of a builder pod hands to its upload container, next to the files in the
 * shared directory: the outputs and build record with the digests the build computed. Written where build
 * steps could have written too, so it is a claim only: the uploader re-hashes every file before it counts.
 *
 * @param outputs in spec order
 * @param record  the build record, as an artifact (format "record")
 */
@JsonPropertyOrder({"outputs", "record"})
public record Handoff(List<OutputArtifact> outputs, OutputArtifact record) {
    public static final String FILE = "handoff.json";
    /** Way above any real spec's list of outputs: a hostile file cannot make the uploader read gigabytes. */
    static final int MAX_BYTES = 1 << 20;
    public static final String INVALID = "InvalidHandoff";
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    public void write(Path dir) throws IOException {
        Files.write(dir.resolve(FILE), JSON.writeValueAsBytes(this));
    }

    public static Handoff read(Path dir) {
        Path file = dir.resolve(FILE);
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new BuildException(INVALID, file + " is larger than " + MAX_BYTES + " bytes");
            }
            Handoff h = JSON.readValue(bytes, Handoff.class);
            if (h.outputs() == null || h.record() == null) {
                throw new BuildException(INVALID, file + " lacks outputs or record");
            }
            return h;
        } catch (IOException e) {
            throw new BuildException(INVALID, "cannot read the build's hand-off " + file + ": " + e.getMessage(), e);
        }
    }
}
