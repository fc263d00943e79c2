package dev.twinbuild.cli;

import dev.twinbuild.pipeline.BuildException;
import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.Tools;
import dev.twinbuild.pipeline.fetch.InputUnreachableException;
import dev.twinbuild.redaction.Redaction;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Exit codes: 0 success (reproducible), 1 outputs differ, 2 bad input (the message names the field or
 * file), 3 the build failed, 4 an input could not be reached (network, 429, 5xx, after retries: try again
 * later; the input itself may be fine).
 */
@Command(name = "twinbuild", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Builds system images reproducibly and proves it by building twice.",
        subcommands = {BuildCommand.class, VerifyCommand.class, LockCommand.class, DiffCommand.class,
                PodBuildCommand.class, PodUploadCommand.class, PodCheckCommand.class, AttestCommand.class})
public class Main {
    public static final int OK = 0;
    public static final int DIFFERS = 1;
    public static final int BAD_INPUT = 2;
    public static final int FAILED = 3;
    public static final int UNREACHABLE = 4;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof InputException) {
                cmd.getErr().println("twinbuild: error: " + Redaction.redact(ex.getMessage()));
                return BAD_INPUT;
            }
            if (ex instanceof InputUnreachableException u) {
                cmd.getErr().println("twinbuild: input unreachable, try again later: " + u.getMessage());
                return UNREACHABLE;
            }
            if (ex instanceof BuildException b) {
                cmd.getErr().println("twinbuild: build failed (" + b.reason() + "): " + Redaction.redact(ex.getMessage()));
                return FAILED;
            }
            cmd.getErr().println("twinbuild: build failed: " + Redaction.redact(String.valueOf(ex)));
            if (System.getenv("TWINBUILD_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return FAILED;
        });
        cl.setParameterExceptionHandler((ex, args1) -> {
            ex.getCommandLine().getErr().println("twinbuild: " + ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return BAD_INPUT;
        });
        return cl.execute(args);
    }

    static class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"twinbuild " + Tools.twinbuildVersion()};
        }
    }
}
