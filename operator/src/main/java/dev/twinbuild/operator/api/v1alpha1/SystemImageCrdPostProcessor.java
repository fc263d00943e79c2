package dev.twinbuild.operator.api.v1alpha1;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * What the CRD needs beyond what Fabric8 generates from the types (quarkus.operator-sdk.crd.post-processor,
 * at build time):
 * <ul>
 * <li>printer columns in the order the {@link AdditionalPrinterColumn} annotations of {@link SystemImage}
 * are written (kubectl shows them in CRD order; Fabric8 sorts them by JSON path);</li>
 * <li>{@code status.observedGeneration} defaults to 0, so that a SystemImage the operator has not seen yet
 * reads as not observed (kstatus: InProgress) instead of having no status at all, which kstatus — and so
 * Flux's {@code wait: true} — would take for Current.</li>
 * </ul>
 */
public class SystemImageCrdPostProcessor implements CRDPostProcessor {
    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
        if (crd instanceof CustomResourceDefinition def && def.getSpec() != null) {
            List<String> order = Arrays.stream(SystemImage.class.getAnnotationsByType(AdditionalPrinterColumn.class))
                    .map(AdditionalPrinterColumn::name).toList();
            for (CustomResourceDefinitionVersion v : def.getSpec().getVersions()) {
                if (v.getAdditionalPrinterColumns() != null) {
                    List<CustomResourceColumnDefinition> cols = new ArrayList<>(v.getAdditionalPrinterColumns());
                    cols.sort(Comparator.comparingInt(c -> order.contains(c.getName()) ? order.indexOf(c.getName())
                            : order.size()));
                    v.setAdditionalPrinterColumns(cols);
                }
                JSONSchemaProps status = v.getSchema() == null || v.getSchema().getOpenAPIV3Schema() == null ? null
                        : v.getSchema().getOpenAPIV3Schema().getProperties().get("status");
                if (status != null) {
                    status.setDefault(JsonNodeFactory.instance.objectNode().put("observedGeneration", 0));
                }
            }
        }
        return crd;
    }
}
