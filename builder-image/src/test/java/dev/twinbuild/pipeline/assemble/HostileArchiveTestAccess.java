package dev.twinbuild.pipeline.assemble;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Lets tests of other packages list a tar as {@link HostileArchiveTest} does. */
public final class HostileArchiveTestAccess {
    private HostileArchiveTestAccess() {
    }

    public static Map<String, String> list(Path tar) throws IOException {
        return HostileArchiveTest.list(tar);
    }
}
