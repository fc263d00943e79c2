package dev.twinbuild.handoff;

import dev.twinbuild.api.v1alpha1.Output;
import dev.twinbuild.manifest.SystemImageDocument;
import dev.twinbuild.pipeline.BuildException;
import dev.twinbuild.pipeline.OutputArtifact;
import dev.twinbuild.pipeline.Pipeline;
import dev.twinbuild.store.ArtifactStoreClient;
import dev.twinbuild.store.BuildSummary;
import dev.twinbuild.store.Sha256;
import dev.twinbuild.store.StoredObject;
import dev.twinbuild.store.Stores;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The upload container's side of the hand-off: everything in the shared directory was written where build
 * steps (hostile) could write, so only the files the spec names are taken, only as regular files (a
 * symlink could point at the grants), each re-hashed here; a file whose digest is not the one the build
 * computed has been changed after the build and is not uploaded.
 */
public final class HandoffUploader {
    public static final String TAMPERED = "OutputTampered";

    private final SystemImageDocument doc;
    private final Path dir;

    /** @param doc the manifest the operator mounted (not the build's word) */
    public HandoffUploader(SystemImageDocument doc, Path dir) {
        this.doc = doc;
        this.dir = dir;
    }

    public BuildSummary upload(ArtifactStoreClient store) throws IOException {
        Handoff h = Handoff.read(dir);
        List<String> expected = expectedFiles();
        List<String> claimed = h.outputs().stream().map(OutputArtifact::file).toList();
        if (!claimed.equals(expected)) {
            throw new BuildException(Handoff.INVALID, "the build handed over " + claimed + ", the spec has " + expected);
        }
        if (!Pipeline.RECORD_FILE.equals(h.record().file())) {
            throw new BuildException(Handoff.INVALID, "the build handed over its record as " + h.record().file());
        }
        // Check every file before the first upload: a tampered build stores nothing.
        for (OutputArtifact o : h.outputs()) {
            verify(o);
        }
        verify(h.record());
        List<BuildSummary.Output> outputs = new ArrayList<>();
        for (OutputArtifact o : h.outputs()) {
            StoredObject stored = store.put(o.file(), dir.resolve(o.file()), o.sha256());
            outputs.add(new BuildSummary.Output(o.format(), o.file(), o.sha256(), o.size(), stored.location()));
        }
        StoredObject record = store.put(h.record().file(), dir.resolve(h.record().file()), h.record().sha256());
        BuildSummary summary = BuildSummary.success(outputs, record.location());
        if (!summary.fitsTerminationMessage()) {
            storeSummary(store, summary);
        }
        return summary;
    }

    /**
     * Too many outputs for the termination message: the whole summary goes to the store, last, under a
     * name only this container is granted. Written here, from what this container hashed and stored —
     * not the build's record, which the build (a tenant's image, maybe) wrote.
     */
    private static void storeSummary(ArtifactStoreClient store, BuildSummary summary) throws IOException {
        Path file = Files.createTempFile("upload-summary", ".json");
        try {
            Files.writeString(file, summary.toJson());
            store.put(Stores.SUMMARY_FILE, file, Sha256.hex(file));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private List<String> expectedFiles() {
        List<String> files = new ArrayList<>();
        for (Output o : doc.spec.outputs) {
            files.addAll(o.fileNames(doc.name()));
        }
        return files;
    }

    /** The file as it is now, read once: a regular file (not followed through a link) of the claimed digest. */
    void verify(OutputArtifact claim) throws IOException {
        Path file = dir.resolve(claim.file());
        if (!file.getParent().equals(dir)) {
            throw new BuildException(Handoff.INVALID, "output name " + claim.file() + " leaves the hand-off directory");
        }
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new BuildException(Handoff.INVALID, "the build's " + claim.file() + " is missing: " + e.getMessage(), e);
        }
        if (!a.isRegularFile()) {
            throw new BuildException(TAMPERED, claim.file() + " is not a regular file (a link or device left by a step?)");
        }
        Sha256.Counted actual;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
             InputStream in = Channels.newInputStream(ch)) {
            actual = Sha256.hex(in);
        }
        if (!actual.sha256().equals(claim.sha256()) || actual.size() != claim.size()) {
            throw new BuildException(TAMPERED, claim.file() + " changed after the build: the build computed sha256 "
                    + claim.sha256() + " (" + claim.size() + " bytes), it now has " + actual.sha256() + " ("
                    + actual.size() + " bytes); not uploaded");
        }
    }
}
