package dev.twinbuild.pipeline.tree;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/** Orders paths by their UTF-8 bytes, unsigned: the order of `LC_ALL=C sort`, independent of the locale. */
public final class PathOrder {
    public static final Comparator<String> BYTES = (a, b) -> Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private PathOrder() {
    }
}
