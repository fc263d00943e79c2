package dev.twinbuild.operator.pods;

import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.manifest.SystemImageDocument;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The manifest the builder pods of one spec read: an immutable ConfigMap named after the spec hash,
 * so a pod can never see a spec other than the one its name promises.
 */
public final class ManifestConfigMap {
    public static final String KEY = "systemimage.yaml";

    private ManifestConfigMap() {
    }

    /** The SystemImage as the CLI reads it; JSON is YAML, so the CLI's manifest reader takes it as is. */
    public static String manifest(SystemImage si) {
        SystemImageDocument doc = new SystemImageDocument();
        doc.apiVersion = SystemImageDocument.API_VERSION;
        doc.kind = SystemImageDocument.KIND;
        doc.metadata.name = si.getMetadata().getName();
        doc.metadata.namespace = si.getMetadata().getNamespace();
        doc.spec = si.getSpec();
        return new String(Manifests.canonicalJson(doc), StandardCharsets.UTF_8);
    }

    public static ConfigMap desired(SystemImage si, String specHash) {
        // Builders get the spec without its re-verification schedule (it is no input of the build).
        SystemImage forBuild = new SystemImage();
        forBuild.setMetadata(si.getMetadata());
        forBuild.setSpec(si.getSpec().buildDefinition());
        String manifest = manifest(forBuild);
        Map<String, String> labels = Names.generationLabels(si.getMetadata().getName(), specHash);
        labels.put(Names.LABEL_COMPONENT, "manifest");
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(Names.configMap(si.getMetadata().getName(), specHash))
                .withNamespace(si.getMetadata().getNamespace())
                .withLabels(labels)
                .withOwnerReferences(BuilderPods.ownerReference(si))
                .endMetadata()
                .withImmutable(true)
                .withData(Map.of(KEY, manifest))
                .build();
    }
}
