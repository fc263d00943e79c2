package dev.twinbuild.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Size;

/** A signed attestation (DSSE envelope of an in-toto statement) the operator stored beside the artifacts. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class Attestation {
    @JsonPropertyDescription("https://slsa.dev/provenance/v1 (one per build) or https://slsa.dev/verification_summary/v1.")
    @Size(max = 256)
    public String predicateType;
    @JsonPropertyDescription("Build the provenance is about (b<index>); empty for the verification summary.")
    @Size(max = 8)
    public String build;
    @JsonPropertyDescription("s3://bucket/key of the envelope (JSON).")
    @Size(max = 2048)
    public String location;
    @JsonPropertyDescription("SHA-256 of the stored envelope.")
    @Size(max = 64)
    public String sha256;
    @JsonPropertyDescription("SHA-256 of the signing public key's DER (ConfigMap twinbuild-attestation-key).")
    @Size(max = 64)
    public String keyid;

    public Attestation() {
    }

    public Attestation(String predicateType, String build, String location, String sha256, String keyid) {
        this.predicateType = predicateType;
        this.build = build;
        this.location = location;
        this.sha256 = sha256;
        this.keyid = keyid;
    }
}
