package io.parley.gateway.support;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Redis Cluster of this test's own on loopback: three masters and three replicas, six
 * {@code redis-server} processes of the system's Redis (&gt;= 7, for sharded pub/sub; the
 * embedded-redis jar only ships 6.2), created with {@code redis-cli --cluster create}. Nothing is
 * kept on disk but the nodes' cluster config files and logs, in a temporary directory
 * {@link #close()} deletes. {@link #killMaster(int)} kills a master the hard way ({@code SIGKILL});
 * its replica is promoted in about two to three seconds (a second's node timeout, then the election).
 *
 * <p>Policy when Redis 7 is missing: with the environment variable {@code CI} set, {@link #start()}
 * fails (.ci/run installs it); anywhere else the test is skipped, and the message says how to install it.
 */
public final class TestRedisCluster implements AutoCloseable {
    static final String INSTALL = "apt-get install -y --no-install-recommends redis-server";
    private static final int SLOTS = 16384;
    private static final int MASTERS = 3;
    private static final Duration START_DEADLINE = Duration.ofSeconds(30);
    private static final Duration COMMAND_DEADLINE = Duration.ofSeconds(10);
    private static final Pattern VERSION = Pattern.compile("v=(\\d+)\\.");

    /** Clusters not closed yet: a forgotten {@link #close()} must not leave six servers behind the JVM. */
    private static final Set<TestRedisCluster> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(TestRedisCluster::close),
                "test-redis-cluster-reaper"));
    }

    private final Path dir;
    /** Port to process, in start order. */
    private final Map<Integer, Process> nodes = new LinkedHashMap<>();
    /** How each node was started: a killed one comes back the same way ({@link #restart}). */
    private final Map<Integer, List<String>> commands = new HashMap<>();
    private final Set<Integer> usedPorts = new HashSet<>();
    private List<Integer> initialMasters = List.of();

    private TestRedisCluster() throws IOException {
        dir = Files.createTempDirectory("parley-redis-cluster-");
        OPEN.add(this);
    }

    /** True when {@code redis-server} reports major version 7 or later and {@code redis-cli} runs. */
    public static boolean available() {
        return Availability.PROBLEM == null;
    }

    /** Why {@link #available()} is false (once per JVM: the binaries do not change under a test run). */
    private static final class Availability {
        static final String PROBLEM = probe();

        private static String probe() {
            Result server = runQuietly(List.of("redis-server", "--version"));
            if (server == null || server.exitCode != 0) {
                return "redis-server not found on PATH";
            }
            Matcher version = VERSION.matcher(server.output);
            if (!version.find() || Integer.parseInt(version.group(1)) < 7) {
                return "redis-server is too old (" + server.output.strip() + ")";
            }
            Result cli = runQuietly(List.of("redis-cli", "--version"));
            if (cli == null || cli.exitCode != 0) {
                return "redis-cli not found on PATH";
            }
            return null;
        }

        private static Result runQuietly(List<String> command) {
            try {
                return run(command, COMMAND_DEADLINE);
            } catch (RuntimeException e) {
                return null;
            }
        }
    }

    /**
     * Starts the six nodes, creates the cluster and waits (at most 30 s) until every node sees all
     * slots served and every replica in sync. Without Redis 7: fails under CI, else aborts (skips) the test.
     */
    public static TestRedisCluster start() {
        if (!available()) {
            String message = Availability.PROBLEM + "; the Redis Cluster tests need redis-server >= 7 "
                    + "(sharded pub/sub) and redis-cli; install Debian's package redis-server: " + INSTALL;
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank()) {
                throw new IllegalStateException(message + " (CI is set, and .ci/run installs it)");
            }
            Assumptions.abort(message);
        }
        TestRedisCluster cluster;
        try {
            cluster = new TestRedisCluster();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for Redis Cluster", e);
        }
        try {
            cluster.create();
            return cluster;
        } catch (RuntimeException | Error e) {
            String logs = cluster.logTails();
            cluster.close();
            throw new IllegalStateException("cannot start Redis Cluster: " + e.getMessage() + "\n" + logs, e);
        }
    }

    private void create() {
        for (int i = 0; i < 2 * MASTERS; i++) {
            launchNode();
        }
        List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        nodes.keySet().forEach(port -> command.add("127.0.0.1:" + port));
        command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        Result created = run(command, START_DEADLINE);
        write("cluster-create.log", created.output);
        if (created.exitCode != 0) {
            throw new IllegalStateException("redis-cli --cluster create exited with " + created.exitCode + ":\n"
                    + created.output);
        }
        // Right after the create, nodes may still see the replicas as empty masters: wait for one view.
        awaitState(START_DEADLINE, true);
        initialMasters = masterPorts();
    }

    /**
     * Starts one node on fresh ports. The bus port is chosen too ({@code --cluster-port}): the
     * default, port + 10000, may be taken or above 65535. A port another process takes between
     * {@link TestRedis#freePort()} and the bind makes the server exit: then other ports are tried.
     */
    private void launchNode() {
        String failures = "";
        for (int attempt = 1; attempt <= 3; attempt++) {
            int port = freshPort();
            int busPort = freshPort();
            Path log = dir.resolve("redis-" + port + ".log");
            List<String> command = List.of("redis-server",
                    "--port", Integer.toString(port),
                    "--bind", "127.0.0.1",
                    "--dir", dir.toString(),
                    "--save", "",
                    "--appendonly", "no",
                    "--daemonize", "no",
                    // A replica's first sync starts at once, not after the default 5 s wait for more replicas.
                    "--repl-diskless-sync-delay", "0",
                    "--cluster-enabled", "yes",
                    "--cluster-port", Integer.toString(busPort),
                    "--cluster-config-file", "nodes-" + port + ".conf",
                    "--cluster-node-timeout", "1000",
                    // A replica may always be promoted, however long it was cut off from its master:
                    // otherwise a failover can be refused as "data too old" and the cluster stay down.
                    "--cluster-replica-validity-factor", "0");
            Process process = run(command, log);
            nodes.put(port, process);
            if (awaitPong(port, process)) {
                commands.put(port, command);
                return;
            }
            failures += "\nport " + port + " (bus " + busPort + "): " + tail(log);
            process.destroyForcibly();
            nodes.remove(port);
        }
        throw new IllegalStateException("redis-server did not start:" + failures);
    }

    private Process run(List<String> command, Path log) {
        try {
            return new ProcessBuilder(command).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run redis-server", e);
        }
    }

    /**
     * Starts a killed node again on its port, with its cluster configuration: it rejoins as a
     * replica of the master that took its slots over, so the cluster can fail over once more.
     */
    public void restart(int port) {
        Process old = nodes.get(port);
        if (old == null || old.isAlive()) {
            throw new IllegalArgumentException("no killed node of this cluster on port " + port);
        }
        Process process = run(commands.get(port), dir.resolve("redis-" + port + ".log"));
        nodes.put(port, process);
        if (!awaitPong(port, process)) {
            throw new IllegalStateException("redis-server on port " + port + " did not come back: "
                    + tail(dir.resolve("redis-" + port + ".log")));
        }
    }

    private int freshPort() {
        while (true) {
            int port = TestRedis.freePort();
            if (usedPorts.add(port)) {
                return port;
            }
        }
    }

    private static boolean awaitPong(int port, Process process) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (cli(port, "ping").output.strip().equals("PONG")) {
                return true;
            }
            pause();
        }
        return false;
    }

    /** What a node's {@code redis_url} says: the three masters the cluster was created with. */
    public String url() {
        return "redis-cluster://" + initialMasters.stream().map(port -> "127.0.0.1:" + port)
                .collect(Collectors.joining(","));
    }

    /**
     * Ports of the masters serving slots now, ascending, as a live node sees them: neither a killed
     * node (until the failover its peers may still list it) nor a failed one.
     */
    public List<Integer> masterPorts() {
        return servingMasters(view(anyLiveNode())).keySet().stream().sorted().toList();
    }

    /** Port of the master serving {@code key}'s slot now; fails while that slot has none (mid-failover). */
    public int masterOf(String key) {
        int asked = anyLiveNode();
        Result reply = cli(asked, "cluster", "keyslot", key);
        int slot;
        try {
            slot = Integer.parseInt(reply.output.strip());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("cluster keyslot on port " + asked + " said: " + reply.output);
        }
        return servingMasters(view(asked)).entrySet().stream()
                .filter(master -> master.getValue().stream().anyMatch(range -> range[0] <= slot && slot <= range[1]))
                .map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new IllegalStateException("slot " + slot + " of key " + key
                        + " has no live master now (a failover in progress? see awaitHealthy)"));
    }

    /**
     * {@code SIGKILL}s the master on {@code port} (no shutdown, no goodbye to its peers) and waits
     * until the process is gone; the cluster then promotes its replica ({@link #awaitHealthy}).
     */
    public void killMaster(int port) {
        Process process = nodes.get(port);
        if (process == null || !process.isAlive()) {
            throw new IllegalArgumentException("no live node of this cluster on port " + port);
        }
        if (!masterPorts().contains(port)) {
            throw new IllegalArgumentException("port " + port + " is not a master now; masters: " + masterPorts());
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server on port " + port + " did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until every live node reports {@code cluster_state:ok}, sees every slot served by a live
     * master (so not merely "not noticed the kill yet") and agrees with the others on the masters,
     * and every live replica is in sync. Fails after {@code timeout}, saying what was still wrong.
     */
    public void awaitHealthy(Duration timeout) {
        awaitState(timeout, false);
    }

    private void awaitState(Duration timeout, boolean initial) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String problem;
        while ((problem = problem(initial)) != null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Redis Cluster not healthy within " + timeout + ": " + problem);
            }
            pause();
        }
    }

    /** What is still wrong with the cluster, or null when nothing is. */
    private String problem(boolean initial) {
        Map<Integer, List<int[]>> agreed = null;
        for (int port : liveNodes()) {
            String info = cli(port, "cluster", "info").output;
            if (!info.contains("cluster_state:ok") || !info.contains("cluster_slots_ok:" + SLOTS)) {
                return "port " + port + " says " + info.lines().limit(5).collect(Collectors.joining(", "));
            }
            List<Node> view = view(port);
            Map<Integer, List<int[]>> masters = servingMasters(view);
            int served = masters.values().stream().flatMap(List::stream)
                    .mapToInt(range -> range[1] - range[0] + 1).sum();
            if (served != SLOTS) {
                return "port " + port + " sees " + served + " slots served by live masters " + masters.keySet();
            }
            if (agreed != null && !agreed.keySet().equals(masters.keySet())) {
                return "nodes disagree on the masters: " + agreed.keySet() + " and " + masters.keySet();
            }
            agreed = masters;
            if (initial && view.stream().filter(node -> node.flags.contains("slave")).count() != MASTERS) {
                return "port " + port + " does not see " + MASTERS + " replicas yet";
            }
            String replication = cli(port, "info", "replication").output;
            if (replication.contains("role:slave") && !replication.contains("master_link_status:up")) {
                return "replica on port " + port + " not in sync with its master yet";
            }
        }
        return null;
    }

    /** One line of {@code cluster nodes}. */
    private record Node(int port, Set<String> flags, List<int[]> slots) {
    }

    private static List<Node> view(int port) {
        Result reply = cli(port, "cluster", "nodes");
        if (reply.exitCode != 0) {
            throw new IllegalStateException("cluster nodes on port " + port + " failed: " + reply.output);
        }
        List<Node> nodes = new ArrayList<>();
        for (String line : reply.output.strip().split("\n")) {
            // <id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv> <epoch> <link> <slot>...
            String[] fields = line.strip().split(" ");
            if (fields.length < 8 || !fields[1].contains(":")) {
                throw new IllegalStateException("cluster nodes on port " + port + " said: " + reply.output);
            }
            String address = fields[1].split("[@,]")[0];
            int nodePort = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
            List<int[]> slots = new ArrayList<>();
            for (int i = 8; i < fields.length; i++) {
                if (!fields[i].startsWith("[")) { // [slot->-id] / [slot-<-id]: migrating, importing
                    String[] range = fields[i].split("-");
                    slots.add(new int[] {Integer.parseInt(range[0]), Integer.parseInt(range[range.length - 1])});
                }
            }
            nodes.add(new Node(nodePort, Set.of(fields[2].split(",")), slots));
        }
        return nodes;
    }

    /** Masters with slots, neither failed in this view nor killed by us: port to slot ranges. */
    private Map<Integer, List<int[]>> servingMasters(List<Node> view) {
        Map<Integer, List<int[]>> masters = new LinkedHashMap<>();
        for (Node node : view) {
            if (node.flags.contains("master") && !node.flags.contains("fail") && !node.flags.contains("fail?")
                    && !node.slots.isEmpty() && isLive(node.port)) {
                masters.put(node.port, node.slots);
            }
        }
        return masters;
    }

    private boolean isLive(int port) {
        Process process = nodes.get(port);
        return process != null && process.isAlive();
    }

    private List<Integer> liveNodes() {
        return nodes.keySet().stream().filter(this::isLive).toList();
    }

    private int anyLiveNode() {
        return liveNodes().stream().findFirst()
                .orElseThrow(() -> new IllegalStateException("no node of this Redis Cluster is running"));
    }

    /** Kills every node and deletes the directory; never throws (it may run from the shutdown hook). */
    @Override
    public void close() {
        OPEN.remove(this);
        for (Process process : nodes.values()) {
            process.destroyForcibly();
        }
        for (Process process : nodes.values()) {
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // closing: a leftover temporary directory is harmless
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static Result cli(int port, String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        return run(command, COMMAND_DEADLINE);
    }

    /** Runs a short command, output and errors together; a command still running at the deadline is killed. */
    private static Result run(List<String> command, Duration deadline) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            // Read aside: waitFor's deadline must hold even if the command hangs without writing.
            CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return process.getInputStream().readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + deadline);
            }
            return new Result(process.exitValue(), new String(output.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void write(String name, String text) {
        try {
            Files.writeString(dir.resolve(name), text);
        } catch (IOException e) {
            // only a log
        }
    }

    /** The end of every log in the directory (for failure messages: close deletes them). */
    private String logTails() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(path -> path.toString().endsWith(".log")).sorted()
                    .map(path -> "--- " + path.getFileName() + ":\n" + tail(path))
                    .collect(Collectors.joining("\n"));
        } catch (IOException | RuntimeException e) {
            return "(no logs: " + e + ")";
        }
    }

    private static String tail(Path log) {
        try {
            String text = Files.readString(log);
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
