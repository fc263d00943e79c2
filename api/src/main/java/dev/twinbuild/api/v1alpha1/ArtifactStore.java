package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.ValidationRule;

/** Exactly one of s3 or pvc. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
@ValidationRule(value = "has(self.s3) != has(self.pvc)", message = "a store needs exactly one of s3 or pvc")
public class ArtifactStore {
    public S3Store s3;
    public PvcStore pvc;
}
