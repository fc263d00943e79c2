package dev.twinbuild.diff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Content-addressed blobs of two OCI image layouts never share names once anything differs; pairing
 * them by role (manifest, config, layer N) lets the differ open them side by side.
 */
final class OciLayout {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OciLayout() {
    }

    /** @return blob entry name → role name ("oci:manifest", "oci:config", "oci:layer-0"); empty if not a layout */
    static Map<String, String> roles(Path archive, List<ArchiveEntryInfo> entries, Path scratch) throws IOException {
        Map<String, String> roles = new HashMap<>();
        String prefix = entries.stream().map(ArchiveEntryInfo::name).filter(n -> n.endsWith("oci-layout"))
                .map(n -> n.substring(0, n.length() - "oci-layout".length())).findFirst().orElse(null);
        if (prefix == null) {
            return roles;
        }
        JsonNode index = json(archive, prefix + "index.json", scratch);
        if (index == null || !index.path("manifests").has(0)) {
            return roles;
        }
        String manifestName = blob(prefix, index.path("manifests").get(0).path("digest").asText());
        roles.put(manifestName, "oci:manifest");
        JsonNode manifest = json(archive, manifestName, scratch);
        if (manifest == null) {
            return roles;
        }
        roles.put(blob(prefix, manifest.path("config").path("digest").asText()), "oci:config");
        JsonNode layers = manifest.path("layers");
        for (int i = 0; i < layers.size(); i++) {
            roles.put(blob(prefix, layers.get(i).path("digest").asText()), "oci:layer-" + i);
        }
        return roles;
    }

    private static String blob(String prefix, String digest) {
        return prefix + "blobs/" + digest.replace(':', '/');
    }

    private static JsonNode json(Path archive, String name, Path scratch) throws IOException {
        Path dir = Files.createTempDirectory(scratch, "oci");
        ArchiveReader.Listing l = ArchiveReader.read(archive, Set.of(name), dir);
        Path p = l == null ? null : l.extracted().get(name);
        if (p == null || Files.size(p) > (4 << 20)) {
            return null;
        }
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            return null;
        }
    }
}
