package dev.twinbuild.pipeline.normalise;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/** Sorts the keys of JSON objects, keeping arrays and values as they are. */
final class JsonNormalizer implements ContentNormalizer {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    @Override
    public boolean normalize(Path file, OutputStream out) throws IOException {
        try (InputStream in = new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(file))) {
            return normalize(in, out);
        }
    }

    private boolean normalize(InputStream in, OutputStream out) throws IOException {
        JsonNode tree;
        try {
            tree = JSON.readTree(in);
        } catch (JsonProcessingException e) {
            return false;
        }
        if (tree == null) {
            return false;
        }
        Object sorted = JSON.treeToValue(tree, Object.class);
        out.write(JSON.writeValueAsBytes(sorted));
        out.write('\n');
        return true;
    }
}
