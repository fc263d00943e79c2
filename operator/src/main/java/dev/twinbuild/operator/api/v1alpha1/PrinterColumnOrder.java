package dev.twinbuild.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * kubectl shows printer columns in CRD order, and Fabric8's generator sorts them by JSON path; this puts
 * them back in the order the {@link AdditionalPrinterColumn} annotations of {@link SystemImage} are
 * written (quarkus.operator-sdk.crd.post-processor, at build time).
 */
public class PrinterColumnOrder implements CRDPostProcessor {
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
            }
        }
        return crd;
    }
}
