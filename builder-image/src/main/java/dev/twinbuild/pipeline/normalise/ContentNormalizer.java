package dev.twinbuild.pipeline.normalise;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/** Rewrites one file's content so that nondeterministic metadata inside it is fixed. */
interface ContentNormalizer {
    /** @return false when the file is not of the expected type (it is then kept as it was) */
    boolean normalize(Path in, OutputStream out) throws IOException;
}
