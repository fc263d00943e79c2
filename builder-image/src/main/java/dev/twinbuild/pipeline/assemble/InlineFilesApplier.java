package dev.twinbuild.pipeline.assemble;

import dev.twinbuild.api.v1alpha1.InlineFile;
import dev.twinbuild.pipeline.tree.Tree;
import dev.twinbuild.pipeline.tree.SafePaths;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writes a {@code files:} layer: files, directories and symlinks given in the spec itself. */
public final class InlineFilesApplier {
    private final Tree fs;
    private final long mtime;

    /** @param mtime the time inline entries carry: SOURCE_DATE_EPOCH */
    public InlineFilesApplier(Tree fs, long mtime) {
        this.fs = fs;
        this.mtime = mtime;
    }

    public void apply(List<InlineFile> files, String layer) throws IOException {
        for (int i = 0; i < files.size(); i++) {
            InlineFile f = files.get(i);
            String what = layer + ".files[" + i + "]";
            String rel = SafePaths.normaliseAbsolute(f.path, what + ".path");
            String real = fs.place(rel, what + ".path");
            long uid = f.uid != null ? f.uid : 0;
            long gid = f.gid != null ? f.gid : 0;
            switch (f.typeOrDefault()) {
                case file -> {
                    byte[] content = f.content == null ? new byte[0] : f.content.getBytes(StandardCharsets.UTF_8);
                    fs.putFile(real, new ByteArrayInputStream(content), content.length, mode(f, 0644), uid, gid, mtime);
                }
                case directory -> fs.putDir(real, mode(f, 0755), uid, gid, mtime);
                case symlink -> fs.putSymlink(real, f.target, uid, gid, mtime, what + ".target");
            }
        }
        fs.fixDirectoryTimes();
    }

    private static int mode(InlineFile f, int dflt) {
        return f.mode == null ? dflt : Integer.parseInt(f.mode, 8);
    }
}
