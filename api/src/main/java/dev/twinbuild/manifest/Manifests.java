package dev.twinbuild.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.twinbuild.pipeline.InputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Reads SystemImage manifests and writes canonical JSON (sorted keys, no clock, no locale). */
public final class Manifests {
    private static final long MAX_MANIFEST_BYTES = 16L << 20;

    private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private Manifests() {
    }

    /** Canonical JSON writer: sorted keys, two-space indentation. */
    public static ObjectMapper json() {
        return JSON;
    }

    public static SystemImageDocument read(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_MANIFEST_BYTES) {
                throw new InputException(file.toString(), "manifest larger than " + MAX_MANIFEST_BYTES + " bytes");
            }
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new InputException(file.toString(), "no such file");
        } catch (IOException e) {
            throw new InputException(file.toString(), "cannot read: " + e.getMessage(), e);
        }
        SystemImageDocument doc = parse(text, file.toString());
        doc.source = file;
        return doc;
    }

    public static SystemImageDocument parse(String text, String source) {
        SystemImageDocument doc;
        try {
            doc = YAML.readValue(text, SystemImageDocument.class);
        } catch (JsonMappingException e) {
            throw new InputException(fieldPath(e.getPath()), problem(e), e);
        } catch (JsonProcessingException e) {
            throw new InputException(source, "not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (doc == null) {
            throw new InputException(source, "empty manifest");
        }
        check(doc);
        return doc;
    }

    /** Validates a document however it was obtained; throws {@link InputException} naming the first field. */
    public static void check(SystemImageDocument doc) {
        List<String> errors = Validator.validate(doc);
        if (!errors.isEmpty()) {
            throw new InputException(errors.get(0).substring(0, errors.get(0).indexOf(':')),
                    errors.get(0).substring(errors.get(0).indexOf(':') + 2)
                            + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more: "
                            + String.join("; ", errors.subList(1, errors.size())) + ")" : ""));
        }
    }

    /** Canonical JSON of any value: what spec hashes and build records are computed from. */
    public static byte[] canonicalJson(Object value) {
        try {
            return JSON.writeValueAsBytes(JSON.valueToTree(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String problem(JsonMappingException e) {
        String msg = e.getOriginalMessage();
        if (msg.startsWith("Unrecognized field")) {
            return "unknown field";
        }
        if (msg.contains("unknown format") || msg.contains("not one of the values accepted")) {
            int idx = msg.indexOf("not one of the values accepted");
            return idx >= 0 ? "value " + msg.substring(idx) : msg;
        }
        return msg.length() > 200 ? msg.substring(0, 200) + "…" : msg;
    }

    static String fieldPath(List<JsonMappingException.Reference> path) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : path) {
            if (ref.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "manifest" : sb.toString();
    }
}
