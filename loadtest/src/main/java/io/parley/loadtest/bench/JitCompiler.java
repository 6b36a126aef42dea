package io.parley.loadtest.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The CPU a server's JIT compiler threads use ({@code C1/C2 CompilerThread*} in
 * {@code /proc/<pid>/task}), so a measurement starts once the server runs its compiled code
 * rather than compiling it: a node's storage engine is a lot of code, and while it compiles the
 * compiler takes a large share of the cores the server and the client share.
 */
final class JitCompiler {

    /** Warm up in steps of this length until one of them finds the compiler quiet. */
    private static final Duration STEP = Duration.ofSeconds(5);
    /** "Quiet": the compiler used at most this share of one core during a step. */
    private static final double QUIET_CORES = 0.03;

    private final long pid;

    JitCompiler(long pid) {
        this.pid = pid;
    }

    /** CPU seconds the compiler threads used so far. */
    double cpuSeconds() throws IOException {
        double total = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (name.contains("CompilerThre")) {
                        total += ProcessMemory.cpuSecondsOf(stat);
                    }
                } catch (NoSuchFileException gone) {
                    // a compiler thread that ended meanwhile (the JVM stops idle ones)
                }
            }
        }
        return total;
    }

    /** What the warm-up did, for the report. */
    record WarmUp(Duration took, double lastStepCores) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "warm-up %d s, JIT compiler at %.2f cores in its last %d s",
                    took.toSeconds(), lastStepCores, STEP.toSeconds());
        }
    }

    /**
     * Runs {@code load} for {@code minimum}, then in further steps until a step finds the compiler
     * quiet or {@code maximum} has passed.
     *
     * @param load runs the warm-up load for the given time
     */
    WarmUp warmUp(Duration minimum, Duration maximum, Load load) throws Exception {
        long start = System.nanoTime();
        load.run(minimum.minus(STEP).isNegative() ? Duration.ZERO : minimum.minus(STEP));
        double cores;
        do {
            double before = cpuSeconds();
            long stepStart = System.nanoTime();
            load.run(STEP);
            cores = (cpuSeconds() - before) / ((System.nanoTime() - stepStart) / 1e9);
        } while (cores > QUIET_CORES && System.nanoTime() - start < maximum.toNanos());
        return new WarmUp(Duration.ofNanos(System.nanoTime() - start), cores);
    }

    /** A load the warm-up can run for a while. */
    interface Load {
        void run(Duration duration) throws Exception;
    }
}
