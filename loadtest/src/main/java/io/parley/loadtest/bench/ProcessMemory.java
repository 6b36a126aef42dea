package io.parley.loadtest.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory and CPU of another JVM on this machine: live heap (used heap right after a full GC, through
 * {@code jcmd GC.run} + {@code GC.heap_info}, the same for Parley and the baseline) and resident
 * set size ({@code VmRSS} in {@code /proc/<pid>/status}).
 */
final class ProcessMemory {
    private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K");
    private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");

    private ProcessMemory() {
    }

    /** Bytes of heap in use after two full collections (the second collects what finalizers freed). */
    static long liveHeapBytes(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Matcher m = HEAP_USED.matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("no heap figure in jcmd GC.heap_info output: " + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    static long rssBytes(long pid) throws IOException {
        Matcher m = RSS.matcher(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
        if (!m.find()) {
            throw new IllegalStateException("no VmRSS for pid " + pid);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    /**
     * CPU time the process used so far (user + system, from {@code /proc/<pid>/stat}), in seconds;
     * assumes the usual 100 clock ticks per second.
     */
    static double cpuSeconds(long pid) throws IOException {
        return cpuSecondsOf(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    }

    /** The CPU seconds in the text of a {@code /proc/<pid>/stat} or {@code /proc/<pid>/task/<tid>/stat}. */
    static double cpuSecondsOf(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // f[0] is field 3 (state)
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // fields 14 utime, 15 stime
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + out);
        }
        return out;
    }
}
