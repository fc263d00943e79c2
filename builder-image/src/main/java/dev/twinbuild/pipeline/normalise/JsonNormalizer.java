package dev.twinbuild.pipeline.normalise;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Sorts the keys of JSON objects, keeping arrays and values as they are. A file that is not exactly one
 * JSON document (empty, JSON Lines, trailing text) is left alone rather than truncated to its first value.
 */
final class JsonNormalizer implements ContentNormalizer {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // Numbers keep their digits: a double would round 0.10000000000000000555 to 0.1.
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    @Override
    public boolean normalize(Path file, OutputStream out) throws IOException {
        try (InputStream in = new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(file))) {
            return normalize(in, out);
        }
    }

    private boolean normalize(InputStream in, OutputStream out) throws IOException {
        Object sorted;
        try {
            // Empty input is an exception here (a tree read would give a missing node, written as "null").
            sorted = JSON.readValue(in, Object.class);
        } catch (JsonProcessingException e) {
            return false;
        }
        out.write(JSON.writeValueAsBytes(sorted));
        out.write('\n');
        return true;
    }
}
