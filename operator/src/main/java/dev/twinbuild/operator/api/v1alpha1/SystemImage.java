package dev.twinbuild.operator.api.v1alpha1;

import dev.twinbuild.api.v1alpha1.SystemImageSpec;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A system image definition, built twice (or more) on different nodes and verified. `kubectl get si`
 * shows the columns in the order written here ({@link SystemImageCrdPostProcessor}).
 */
@Group("twinbuild.dev")
@Version("v1alpha1")
@ShortNames("si")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reproducible", jsonPath = ".status.conditions[?(@.type==\"Reproducible\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Digest", jsonPath = ".status.digest", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Nodes", jsonPath = ".status.nodes", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class SystemImage extends CustomResource<SystemImageSpec, SystemImageStatus> implements Namespaced {
}
