package dev.twinbuild.cli;

import picocli.CommandLine.Command;

@Command(name = "attest", mixinStandardHelpOptions = true,
        description = "Signed attestations of Twinbuild verdicts (DSSE envelopes of in-toto statements).",
        subcommands = {AttestVerifyCommand.class})
public class AttestCommand {
}
