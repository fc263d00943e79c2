package dev.twinbuild.attest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * in-toto Statement v1 with the two predicates Twinbuild signs — SLSA Provenance v1 per build and SLSA
 * Verification Summary v1 per reproducible verdict — and their one serialization: compact JSON with keys
 * sorted at every level, UTF-8, so the same statement is always the same bytes (and the same payload digest).
 */
public final class Statements {
    public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
    public static final String PROVENANCE = "https://slsa.dev/provenance/v1";
    public static final String VSA = "https://slsa.dev/verification_summary/v1";
    /** SLSA buildType of a SystemImage build; externalParameters.spec is the SystemImage spec. */
    public static final String BUILD_TYPE = "https://twinbuild.dev/buildtypes/systemimage/v1";
    /** VSA level a verdict states: N independent builds produced identical outputs (not an SLSA_ level). */
    public static final String REPRODUCIBLE_LEVEL = "TWINBUILD_REPRODUCIBLE";

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private Statements() {
    }

    public record Subject(String name, String sha256) {
    }

    /** The statement as a JSON-ready map; subjects keep the given order. */
    public static Map<String, Object> statement(List<Subject> subjects, String predicateType, Object predicate) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("_type", STATEMENT_TYPE);
        s.put("subject", subjects.stream().map(x -> Map.of("name", x.name(), "digest", Map.of("sha256", x.sha256())))
                .toList());
        s.put("predicateType", predicateType);
        s.put("predicate", predicate);
        return s;
    }

    /** Canonical bytes of any JSON-ready value (maps, lists, strings, numbers, Jackson-annotated types). */
    public static byte[] canonical(Object value) {
        try {
            // Through the tree: POJOs and maps end up with the same sorted key order.
            return CANONICAL.writeValueAsBytes(CANONICAL.valueToTree(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectMapper mapper() {
        return CANONICAL;
    }
}
