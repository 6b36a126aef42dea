package io.parley.gateway.ops;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' own checker, {@code promtool} (Debian package {@code prometheus}), run on files.
 *
 * <p>Policy when it is missing: with the environment variable {@code CI} set, the test fails
 * (CI must check the rules, and .ci/run installs promtool); anywhere else the test is skipped,
 * and the skip message says how to install it.
 */
final class Promtool {
    static final String INSTALL = "apt-get install -y --no-install-recommends prometheus";
    private static final long TIMEOUT_SECONDS = 60;

    private Promtool() {
    }

    record Result(int exitCode, String output) {
    }

    /** The binary, or the test's end as the policy above says. */
    static Path require() {
        Optional<Path> found = find();
        if (found.isEmpty()) {
            String message = "promtool not found on PATH; install Debian's package prometheus: " + INSTALL;
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank()) {
                throw new AssertionError(message + " (CI is set, so the alert rules must be checked)");
            }
            Assumptions.abort(message);
        }
        return found.get();
    }

    static Result run(Path promtool, Path workingDirectory, String... args) {
        List<String> command = new ArrayList<>();
        command.add(promtool.toString());
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(workingDirectory.toFile())
                    .redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes(); // ends when promtool exits
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("promtool " + String.join(" ", args) + " did not finish");
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Optional<Path> find() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "promtool");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
