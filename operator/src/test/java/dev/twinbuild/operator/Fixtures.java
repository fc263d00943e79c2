package dev.twinbuild.operator;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.api.v1alpha1.Layer;
import dev.twinbuild.api.v1alpha1.Output;
import dev.twinbuild.api.v1alpha1.OutputFormat;
import dev.twinbuild.api.v1alpha1.PvcStore;
import dev.twinbuild.api.v1alpha1.SystemImageSpec;
import dev.twinbuild.api.v1alpha1.TarLayer;
import dev.twinbuild.api.v1alpha1.Verification;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

import java.util.List;

/** Valid SystemImages for tests. */
public final class Fixtures {
    private Fixtures() {
    }

    public static SystemImageSpec spec(int builds) {
        SystemImageSpec spec = new SystemImageSpec();
        spec.sourceDateEpoch = 1_700_000_000L;
        Layer layer = new Layer();
        layer.tar = new TarLayer();
        layer.tar.url = "https://example.org/rootfs.tar";
        layer.tar.sha256 = "a".repeat(64);
        spec.layers = List.of(layer);
        Output tar = new Output();
        tar.format = OutputFormat.TAR;
        Output gz = new Output();
        gz.format = OutputFormat.TAR_GZ;
        spec.outputs = List.of(tar, gz);
        spec.verification = new Verification();
        spec.verification.builds = builds;
        return spec;
    }

    public static SystemImage systemImage(String name, int builds) {
        SystemImage si = new SystemImage();
        si.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").withUid("uid-1").withGeneration(1L)
                .build());
        si.setSpec(spec(builds));
        return si;
    }

    public static ArtifactStore pvcStore() {
        ArtifactStore store = new ArtifactStore();
        store.pvc = new PvcStore();
        store.pvc.claimName = "artifacts";
        return store;
    }
}
