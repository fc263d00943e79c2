package dev.twinbuild.operator.apiserver;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The figures a test class measures (times, sizes), one per line in {@code target/<file>} after its tests, and
 * on standard output as they are taken. Register as a static field with {@code @RegisterExtension}.
 */
final class Figures implements AfterAllCallback {
    private final String file;
    private final String label;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    /** @param file the file name under target/, e.g. twinbuild-figures-build-queue.txt */
    Figures(String file, String label) {
        this.file = file;
        this.label = label;
    }

    void add(String line) {
        lines.add(line);
        System.out.println(label + ": " + line);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (!lines.isEmpty()) {
            Files.createDirectories(Path.of("target"));
            Files.write(Path.of("target", file), lines);
        }
    }
}
