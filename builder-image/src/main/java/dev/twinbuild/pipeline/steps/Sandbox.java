package dev.twinbuild.pipeline.steps;

import dev.twinbuild.pipeline.BuildException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps a step from writing outside the tree and its scratch directory. On a workstation that is
 * bubblewrap (read-only host, private namespaces, no network); in a builder pod the container is the
 * sandbox (read-only root filesystem, emptyDir work volume), which {@code TWINBUILD_SANDBOX=container} says.
 */
public enum Sandbox {
    BWRAP, CONTAINER;

    public static Sandbox detect() {
        if ("container".equals(System.getenv("TWINBUILD_SANDBOX"))) {
            return CONTAINER;
        }
        if (Files.isExecutable(Path.of("/usr/bin/bwrap"))) {
            return BWRAP;
        }
        throw new BuildException("NoSandbox", "build steps need bubblewrap (apt-get install bubblewrap), or "
                + "TWINBUILD_SANDBOX=container inside a builder container");
    }

    /**
     * The command prefix that runs a trusted tool on untrusted content (package maintainer scripts): the host
     * read-only, only {@code writable} writable, no network, hostname twinbuild. Nothing in a container.
     */
    public List<String> wrapTool(Path writable) {
        if (this == CONTAINER) {
            return List.of();
        }
        return List.of("/usr/bin/bwrap", "--die-with-parent", "--unshare-all", "--hostname", "twinbuild",
                "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
                "--bind", writable.toString(), writable.toString(), "--chdir", writable.toString());
    }

    List<String> wrap(Path rootfs, Path scratch, boolean chroot) {
        List<String> c = new ArrayList<>();
        if (this == CONTAINER) {
            if (chroot) {
                c.addAll(List.of("chroot", rootfs.toString()));
            }
            return c;
        }
        c.addAll(List.of("/usr/bin/bwrap", "--die-with-parent", "--unshare-all", "--hostname", "twinbuild"));
        if (chroot) {
            c.addAll(List.of("--bind", rootfs.toString(), "/", "--dev", "/dev", "--proc", "/proc",
                    "--tmpfs", "/tmp", "--chdir", "/"));
        } else {
            c.addAll(List.of("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
                    "--bind", rootfs.toString(), rootfs.toString(), "--bind", scratch.toString(), scratch.toString(),
                    "--chdir", scratch.toString()));
        }
        return c;
    }
}
