package dev.twinbuild.operator.store;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.api.v1alpha1.Output;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.store.Stores;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the files of one build go, computed by the operator from the spec alone: the only keys the
 * build is granted, and the only locations its report may name.
 *
 * @param outputs output file name → key, in spec order
 */
public record BuildLayout(ArtifactStore store, String prefix, Map<String, String> outputs, String recordKey) {

    public static BuildLayout of(SystemImage si, String specHash, ArtifactStore store, int index) {
        String prefix = Stores.buildPrefix(store, si.getMetadata().getNamespace(), si.getMetadata().getName(),
                specHash, index);
        Map<String, String> outputs = new LinkedHashMap<>();
        for (Output o : si.getSpec().outputs) {
            for (String file : o.fileNames(si.getMetadata().getName())) {
                outputs.put(file, Stores.key(prefix, file));
            }
        }
        return new BuildLayout(store, prefix, outputs, Stores.key(prefix, Stores.RECORD_FILE));
    }

    public String location(String key) {
        return Stores.location(store, key);
    }

    /** The expected location of an output file, or null when the spec has no such output. */
    public String outputLocation(String file) {
        String key = outputs.get(file);
        return key == null ? null : location(key);
    }

    /** Where the upload container stores its whole summary when it does not fit the termination message. */
    public String summaryKey() {
        return Stores.key(prefix, Stores.SUMMARY_FILE);
    }

    public String recordLocation() {
        return location(recordKey);
    }
}
