package dev.twinbuild.pipeline.tree;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** What one archive put into a {@link Rootfs}: {@link Tree#seen} and {@link Tree#clearChildren} in maps. */
final class ArchiveLog {
    private final Map<String, EntryType> seen = new HashMap<>();
    private final Set<String> added = new HashSet<>();

    void clear() {
        seen.clear();
        added.clear();
    }

    EntryType seen(String name) {
        return seen.get(name);
    }

    void added(String name, String real, EntryType type) {
        seen.put(name, type);
        added.add(real);
    }

    boolean addedReal(String real) {
        return added.contains(real);
    }
}
