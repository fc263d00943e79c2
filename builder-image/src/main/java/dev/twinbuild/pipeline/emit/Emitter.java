package dev.twinbuild.pipeline.emit;

import dev.twinbuild.pipeline.tree.TreeEntry;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/** Writes a normalised tree, already sorted, in one archive format. */
public interface Emitter {
    void emit(List<TreeEntry> entries, OutputStream out) throws IOException;
}
