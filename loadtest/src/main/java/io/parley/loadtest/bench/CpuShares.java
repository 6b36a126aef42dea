package io.parley.loadtest.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the shared CPU went during a phase, per message: CPU time and context switches (all
 * threads) of every process taking part — the nodes, this client, PostgreSQL's processes and
 * Redis — read from {@code /proc}. On a small VM a wake-up costs more than most of a message's
 * own work, so context switches per message explain CPU per message; and with every process on
 * the same cores, one that takes more leaves less for the others.
 *
 * <p>Linux only; elsewhere {@link #snapshot} returns an empty view and the report says so.
 * PostgreSQL and Redis are found by process name ({@code postgres}, {@code redis-server}), so a
 * remote server, or an unrelated one on the same machine, shows as 0 or is counted in; unless the
 * caller names Redis's processes itself ({@link #snapshot(Map, List)}).
 */
final class CpuShares {
    private static final Path PROC = Path.of("/proc");

    /** CPU seconds and context switches of one role so far. */
    private record Usage(double cpuSeconds, long contextSwitches) {
        Usage plus(Usage other) {
            return new Usage(cpuSeconds + other.cpuSeconds, contextSwitches + other.contextSwitches);
        }
    }

    private final Map<String, Usage> byRole;

    private CpuShares(Map<String, Usage> byRole) {
        this.byRole = byRole;
    }

    /** Now, for the named node processes (in report order), this client, PostgreSQL and Redis. */
    static CpuShares snapshot(Map<String, Long> nodes) {
        return snapshot(nodes, null);
    }

    /**
     * As {@link #snapshot(Map)}, but "redis" is exactly {@code redisPids} summed (e.g. every
     * process of a {@link RedisTopology}, sentinels included), not every {@code redis-server} by
     * name; null counts by name.
     */
    static CpuShares snapshot(Map<String, Long> nodes, List<Long> redisPids) {
        Map<String, Usage> byRole = new LinkedHashMap<>();
        if (!Files.isDirectory(PROC)) {
            return new CpuShares(byRole);
        }
        nodes.forEach((name, pid) -> byRole.put(name, usage(pid)));
        byRole.put("client", usage(ProcessHandle.current().pid()));
        Usage postgres = new Usage(0, 0);
        Usage redis = new Usage(0, 0);
        for (long pid : pids()) {
            String command = comm(pid);
            if (command.equals("postgres")) {
                postgres = postgres.plus(usage(pid));
            } else if (redisPids == null && command.equals("redis-server")) {
                redis = redis.plus(usage(pid));
            }
        }
        if (redisPids != null) {
            for (long pid : redisPids) {
                redis = redis.plus(usage(pid));
            }
        }
        byRole.put("postgres", postgres);
        byRole.put("redis", redis);
        return new CpuShares(byRole);
    }

    /** CPU seconds {@code role} ("client", "postgres", "redis" or a node's name) used between {@code before} and this snapshot. */
    double cpuSecondsSince(CpuShares before, String role) {
        Usage now = byRole.getOrDefault(role, new Usage(0, 0));
        Usage then = before.byRole.getOrDefault(role, new Usage(0, 0));
        return now.cpuSeconds - then.cpuSeconds;
    }

    /** "node A 25.1 us 0.38 cs, ..., total 69.2 us 0.95 cs per message (CPU 162 % of one core)". */
    String perMessageSince(CpuShares before, double messages, double seconds) {
        if (byRole.isEmpty()) {
            return "CPU per message: n/a (no /proc)";
        }
        StringBuilder out = new StringBuilder("CPU per message:");
        Usage total = new Usage(0, 0);
        for (Map.Entry<String, Usage> e : byRole.entrySet()) {
            Usage then = before.byRole.getOrDefault(e.getKey(), new Usage(0, 0));
            Usage spent = new Usage(e.getValue().cpuSeconds - then.cpuSeconds,
                    e.getValue().contextSwitches - then.contextSwitches);
            total = total.plus(spent);
            out.append(String.format(Locale.ROOT, " %s %.1f us %.2f cs,", e.getKey(), spent.cpuSeconds / messages * 1e6,
                    spent.contextSwitches / messages));
        }
        return out.append(String.format(Locale.ROOT, " total %.1f us %.2f cs (CPU %.0f %% of one core)",
                total.cpuSeconds / messages * 1e6, total.contextSwitches / messages,
                total.cpuSeconds / seconds * 100)).toString();
    }

    /** A process's CPU time and its threads' context switches ({@code task/*}/status). */
    private static Usage usage(long pid) {
        try {
            double cpu = ProcessMemory.cpuSeconds(pid);
            long switches = 0;
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(PROC.resolve(Long.toString(pid)).resolve("task"))) {
                for (Path task : tasks) {
                    switches += contextSwitches(task.resolve("status"));
                }
            }
            return new Usage(cpu, switches);
        } catch (IOException | RuntimeException gone) { // exited meanwhile
            return new Usage(0, 0);
        }
    }

    private static long contextSwitches(Path status) {
        long sum = 0;
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("voluntary_ctxt_switches") || line.startsWith("nonvoluntary_ctxt_switches")) {
                    sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
            }
        } catch (IOException | RuntimeException gone) { // the thread ended meanwhile
            return 0;
        }
        return sum;
    }

    private static List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : all) {
                pids.add(Long.parseLong(p.getFileName().toString()));
            }
        } catch (IOException e) {
            return pids;
        }
        return pids;
    }

    private static String comm(long pid) {
        try {
            return Files.readString(PROC.resolve(Long.toString(pid)).resolve("comm")).trim();
        } catch (IOException | RuntimeException gone) {
            return "";
        }
    }
}
