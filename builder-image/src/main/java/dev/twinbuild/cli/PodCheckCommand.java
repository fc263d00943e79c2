package dev.twinbuild.cli;

import dev.twinbuild.check.CheckRequest;
import dev.twinbuild.check.CheckSummary;
import dev.twinbuild.check.Diffoscope;
import dev.twinbuild.check.StoreCheck;
import dev.twinbuild.redaction.Redaction;
import dev.twinbuild.store.GrantUploader;
import dev.twinbuild.store.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The operator's check pod: reads a generation's stored outputs back and, when builds disagree, diagnoses
 * the difference (Twinbuild's differ and diffoscope) — data-plane work the operator never does itself.
 * Reports to the operator through the termination message (a {@link CheckSummary}).
 */
@Command(name = "pod-check", mixinStandardHelpOptions = true,
        description = "Reads stored outputs back through presigned grants, diffs differing ones, stores the reports.")
public class PodCheckCommand implements Callable<Integer> {
    @Option(names = "--request", required = true, paramLabel = "FILE", description = "the operator's check request")
    Path request;

    @Option(names = "--scratch", required = true, paramLabel = "DIR", description = "this pod's own scratch volume")
    Path scratch;

    @Option(names = "--diffoscope-timeout", defaultValue = "600", paramLabel = "SECONDS")
    long diffoscopeTimeout;

    @Option(names = "--termination-log", defaultValue = "/dev/termination-log", paramLabel = "FILE")
    Path terminationLog;

    @Override
    public Integer call() throws IOException {
        CheckSummary summary;
        try {
            CheckRequest req = CheckRequest.read(request);
            summary = new StoreCheck(new Diffoscope(Path.of(Diffoscope.COMMAND), diffoscopeTimeout))
                    .run(req, scratch, new GrantUploader(req.reports()));
        } catch (StoreException e) {
            summary = CheckSummary.failed(0, e.reason(), e.getMessage());
        } catch (IOException | RuntimeException e) {
            summary = CheckSummary.failed(0, "CheckError", Redaction.redact(String.valueOf(e)));
        }
        String message = summary.toTerminationMessage();
        Files.write(terminationLog, message.getBytes(StandardCharsets.UTF_8));
        System.out.println(message);
        return summary.succeeded() ? Main.OK
                : StoreException.UNREACHABLE.equals(summary.failure().reason()) ? Main.UNREACHABLE : Main.FAILED;
    }
}
