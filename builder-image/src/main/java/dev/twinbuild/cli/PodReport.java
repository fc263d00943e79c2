package dev.twinbuild.cli;

import dev.twinbuild.pipeline.BuildException;
import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.fetch.InputUnreachableException;
import dev.twinbuild.redaction.Redaction;
import dev.twinbuild.store.BuildSummary;
import dev.twinbuild.store.StoreException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How both containers of a builder pod report to the operator: whatever happens, a {@link BuildSummary}
 * in the termination message (redacted), and the CLI's exit code.
 */
final class PodReport {
    interface Work {
        BuildSummary run() throws IOException;
    }

    private PodReport() {
    }

    static int run(Path terminationLog, Work work) throws IOException {
        BuildSummary summary;
        int exit;
        try {
            summary = work.run();
            exit = Main.OK;
        } catch (InputException e) {
            summary = BuildSummary.failed("InputError", e.getMessage());
            exit = Main.BAD_INPUT;
        } catch (BuildException e) {
            summary = BuildSummary.failed(e.reason(), e.getMessage());
            exit = e instanceof InputUnreachableException ? Main.UNREACHABLE : Main.FAILED;
        } catch (StoreException e) {
            summary = BuildSummary.failed(e.reason(), e.getMessage());
            exit = Main.FAILED;
        } catch (IOException | RuntimeException e) {
            summary = BuildSummary.failed("BuildError", Redaction.redact(String.valueOf(e)));
            exit = Main.FAILED;
        }
        String message = summary.toTerminationMessage(); // redacted
        Files.write(terminationLog, message.getBytes(StandardCharsets.UTF_8));
        System.out.println(message);
        return exit;
    }
}
