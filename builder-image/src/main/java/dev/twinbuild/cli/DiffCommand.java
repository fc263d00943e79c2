package dev.twinbuild.cli;

import dev.twinbuild.diff.ArchiveDiff;
import dev.twinbuild.diff.DiffReport;
import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.pipeline.InputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "Lists the entries of two archives that differ, and how. Exit 0 when identical, 1 otherwise.")
public class DiffCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "A")
    Path a;

    @Parameters(index = "1", paramLabel = "B")
    Path b;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        for (Path p : new Path[]{a, b}) {
            if (!Files.isRegularFile(p)) {
                throw new InputException(p.toString(), "no such file");
            }
        }
        DiffReport r = ArchiveDiff.diff(a, b);
        if (json) {
            System.out.println(Manifests.json().writeValueAsString(r));
        } else {
            System.out.print(r.toText());
        }
        return r.identical ? Main.OK : Main.DIFFERS;
    }
}
