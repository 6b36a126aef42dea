package io.parley.loadtest.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Redis of the runner's own on loopback, in one of the three shapes a node's
 * {@code PARLEY_REDIS_URL} can name, every process on free ports of 127.0.0.1 and without
 * persistence:
 * <ul>
 *   <li>{@code one}: one {@link RedisServer} ({@code redis://127.0.0.1:port});</li>
 *   <li>{@code sentinel}: a primary, one replica and three {@code redis-server --sentinel}
 *   processes (quorum 2) watching it as {@value #SENTINEL_MASTER}
 *   ({@code redis-sentinel://127.0.0.1:s1,127.0.0.1:s2,127.0.0.1:s3#parley});</li>
 *   <li>{@code cluster}: Redis Cluster (&gt;= 7, for sharded pub/sub), three masters and three
 *   replicas created with {@code redis-cli --cluster create --cluster-replicas 1}
 *   ({@code redis-cluster://127.0.0.1:m1,127.0.0.1:m2,127.0.0.1:m3}).</li>
 * </ul>
 * {@link #start} returns once it is all up: every replica in sync, the sentinels aware of the
 * replica and of each other, every cluster node at {@code cluster_state:ok} with all slots served
 * and the three replicas attached. Failure detection is left at Redis's defaults (30 s
 * {@code down-after-milliseconds}, 15 s {@code cluster-node-timeout}): a machine busy with the
 * benchmark must not fail over under it.
 *
 * <p>Logs (and the sentinels' and cluster nodes' config files) go to the directory given to
 * {@link #start}, which stays behind for reading. {@link #close()} stops every process (SIGTERM,
 * SIGKILL after a deadline) and never throws; a JVM that exits before it (Ctrl-C) still stops
 * them from a shutdown hook. {@link #pids()} are the processes to count as "redis" in
 * {@link CpuShares}.
 */
final class RedisTopology implements AutoCloseable {
    static final String SENTINEL_MASTER = "parley";
    /** The {@code topology=} values that start a Redis here ({@code local} is the caller's own). */
    static final List<String> KINDS = List.of("one", "sentinel", "cluster");

    private static final String SERVER = "redis-server";
    private static final String CLI = "redis-cli";
    private static final int SLOTS = 16384;
    private static final int MASTERS = 3;
    private static final Duration START_DEADLINE = Duration.ofSeconds(60);
    private static final Duration COMMAND_DEADLINE = Duration.ofSeconds(10);
    private static final Pattern VERSION = Pattern.compile("v=(\\d+)\\.");

    /** Not closed yet: a JVM told to stop (Ctrl-C) must not leave servers behind. */
    private static final Set<RedisTopology> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(RedisTopology::close),
                "redis-topology-reaper"));
    }

    /** One process of ours: its role (for messages), port, log. */
    private record Member(String role, int port, Process process, Path log) {
    }

    private final String kind;
    private final Path dir;
    /** In start order; {@link #close} stops them in reverse. */
    private final List<Member> members = new ArrayList<>();
    private final Set<Integer> usedPorts = new HashSet<>();
    private RedisServer one;
    private String url;

    private RedisTopology(String kind, Path dir) {
        this.kind = kind;
        this.dir = dir;
    }

    /**
     * Starts {@code kind} ({@link #KINDS}) with {@code redis-server} and {@code redis-cli} from
     * PATH, its logs in {@code dir}; on failure stops what had started and says why, with the
     * logs' ends.
     */
    static RedisTopology start(String kind, Path dir) throws IOException, InterruptedException {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("unknown Redis topology '" + kind + "'; one of " + KINDS);
        }
        Files.createDirectories(dir);
        RedisTopology topology = new RedisTopology(kind, dir);
        OPEN.add(topology);
        try {
            switch (kind) {
                case "one" -> topology.startOne();
                case "sentinel" -> topology.startSentinel();
                default -> topology.startCluster();
            }
            return topology;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            String logs = topology.logTails();
            topology.close();
            throw new IllegalStateException("cannot start Redis (" + kind + "): " + e.getMessage()
                    + " (logs in " + dir + ")\n" + logs, e);
        }
    }

    /** What the nodes' {@code PARLEY_REDIS_URL} says. */
    String url() {
        return url;
    }

    /** Every {@code redis-server} process of this topology (sentinels included). */
    List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        if (one != null) {
            pids.add(one.pid());
        }
        members.forEach(m -> pids.add(m.process().pid()));
        return pids;
    }

    Path dir() {
        return dir;
    }

    @Override
    public String toString() {
        return kind + " " + url + " (" + pids().size() + " processes, logs in " + dir + ")";
    }

    private void startOne() throws IOException, InterruptedException {
        one = RedisServer.start(SERVER, dir.resolve("redis.log"));
        url = one.url();
    }

    private void startSentinel() throws IOException, InterruptedException {
        Member primary = server("primary", List.of());
        Member replica = server("replica", List.of("--replicaof", "127.0.0.1", Integer.toString(primary.port())));
        List<Member> sentinels = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            sentinels.add(sentinel(i, primary.port()));
        }
        url = "redis-sentinel://" + sentinels.stream().map(s -> "127.0.0.1:" + s.port())
                .collect(Collectors.joining(",")) + "#" + SENTINEL_MASTER;
        awaitReady(() -> sentinelProblem(primary, replica, sentinels));
    }

    private String sentinelProblem(Member primary, Member replica, List<Member> sentinels) {
        String replication = cli(replica.port(), "info", "replication");
        if (!replication.contains("master_link_status:up")) {
            return "the replica on " + replica.port() + " is not in sync with the primary yet";
        }
        for (Member sentinel : sentinels) {
            String master = cli(sentinel.port(), "sentinel", "get-master-addr-by-name", SENTINEL_MASTER);
            if (!master.lines().map(String::strip).toList().equals(List.of("127.0.0.1", Integer.toString(primary.port())))) {
                return sentinel.role() + " says the master is " + master.strip().replace('\n', ' ');
            }
            // Reply: alternating field names and values, one per line.
            List<String> fields = cli(sentinel.port(), "sentinel", "master", SENTINEL_MASTER).lines().map(String::strip).toList();
            String replicas = field(fields, "num-slaves");
            String others = field(fields, "num-other-sentinels");
            if (!"1".equals(replicas) || !"2".equals(others)) {
                return sentinel.role() + " knows " + replicas + " replicas and " + others + " other sentinels";
            }
        }
        return null;
    }

    private static String field(List<String> alternating, String name) {
        int at = alternating.indexOf(name);
        return at < 0 || at + 1 >= alternating.size() ? null : alternating.get(at + 1);
    }

    private void startCluster() throws IOException, InterruptedException {
        String version = run(List.of(SERVER, "--version"), COMMAND_DEADLINE).output();
        Matcher major = VERSION.matcher(version);
        if (!major.find() || Integer.parseInt(major.group(1)) < 7) {
            throw new IllegalStateException("topology=cluster needs redis-server >= 7 (sharded pub/sub), found: "
                    + version.strip());
        }
        List<Member> nodes = new ArrayList<>();
        for (int i = 1; i <= 2 * MASTERS; i++) {
            // The bus port is chosen too: the default, port + 10000, may be taken or above 65535.
            int busPort = freshPort();
            nodes.add(server("node" + i, List.of("--cluster-enabled", "yes",
                    "--cluster-port", Integer.toString(busPort),
                    "--cluster-config-file", "nodes-" + i + ".conf")));
        }
        List<String> create = new ArrayList<>(List.of(CLI, "--cluster", "create"));
        nodes.forEach(n -> create.add("127.0.0.1:" + n.port()));
        create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        Result created = run(create, START_DEADLINE);
        Files.writeString(dir.resolve("cluster-create.log"), created.output());
        // redis-cli may exit 0 after an error reply: its [OK] line is what says the slots are assigned.
        if (created.exitCode() != 0 || created.output().contains("[ERR]")
                || !created.output().contains("[OK] All " + SLOTS + " slots covered")) {
            throw new IllegalStateException("redis-cli --cluster create exited with " + created.exitCode() + ":\n"
                    + created.output());
        }
        // Right after the create, nodes may still see the replicas as empty masters: wait for one view.
        awaitReady(() -> clusterProblem(nodes));
        List<Integer> masters = servingMasters(nodes.get(0).port());
        url = "redis-cluster://" + masters.stream().sorted().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    private String clusterProblem(List<Member> nodes) {
        List<Integer> agreed = null;
        for (Member node : nodes) {
            String info = cli(node.port(), "cluster", "info");
            if (!info.contains("cluster_state:ok") || !info.contains("cluster_slots_ok:" + SLOTS)
                    || !info.contains("cluster_known_nodes:" + 2 * MASTERS)) {
                return "port " + node.port() + " says " + info.lines().limit(6).collect(Collectors.joining(", "));
            }
            String view = cli(node.port(), "cluster", "nodes");
            long replicas = view.lines().filter(l -> l.split(" ").length > 2 && l.split(" ")[2].contains("slave")).count();
            if (replicas != MASTERS) {
                return "port " + node.port() + " sees " + replicas + " replicas, not " + MASTERS;
            }
            List<Integer> masters = servingMasters(node.port());
            if (masters.size() != MASTERS || agreed != null && !agreed.equals(masters)) {
                return "port " + node.port() + " sees masters " + masters + (agreed == null ? "" : ", another " + agreed);
            }
            agreed = masters;
            String replication = cli(node.port(), "info", "replication");
            if (replication.contains("role:slave") && !replication.contains("master_link_status:up")) {
                return "replica on port " + node.port() + " not in sync with its master yet";
            }
        }
        return null;
    }

    /** Ports of the masters serving slots in {@code port}'s view, ascending. */
    private static List<Integer> servingMasters(int port) {
        List<Integer> masters = new ArrayList<>();
        for (String line : cli(port, "cluster", "nodes").strip().split("\n")) {
            // <id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv> <epoch> <link> <slot>...
            String[] fields = line.strip().split(" ");
            if (fields.length < 9 || !fields[1].contains(":")) {
                continue; // no slots (a replica), or not a node line
            }
            Set<String> flags = Set.of(fields[2].split(","));
            if (flags.contains("master") && !flags.contains("fail") && !flags.contains("fail?")) {
                String address = fields[1].split("[@,]")[0];
                masters.add(Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
            }
        }
        masters.sort(null);
        return masters;
    }

    /**
     * A {@code redis-server} on a fresh port with {@code extra} arguments; a port another process
     * takes between choosing and binding makes the server exit, and then other ports are tried.
     */
    private Member server(String role, List<String> extra) throws IOException, InterruptedException {
        String failures = "";
        for (int attempt = 1; attempt <= 3; attempt++) {
            int port = freshPort();
            List<String> command = new ArrayList<>(List.of(SERVER, "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "", "--appendonly", "no",
                    "--daemonize", "no",
                    // A replica writes what its master sends to this file before loading it: one
                    // file per server, or replicas in the shared directory could load each other's.
                    "--dbfilename", role + "-" + port + ".rdb",
                    // A replica's first sync starts at once, not after the default 5 s wait for more replicas.
                    "--repl-diskless-sync-delay", "0"));
            command.addAll(extra);
            Member started = launch(role, port, command);
            if (started != null) {
                return started;
            }
            failures += "\nport " + port + ": " + tail(dir.resolve(role + "-" + port + ".log"));
        }
        throw new IllegalStateException(role + " did not start:" + failures);
    }

    /** A sentinel watching the primary on {@code primaryPort}, from a config file of its own (it rewrites it). */
    private Member sentinel(int number, int primaryPort) throws IOException, InterruptedException {
        String failures = "";
        for (int attempt = 1; attempt <= 3; attempt++) {
            int port = freshPort();
            Path config = dir.resolve("sentinel-" + number + "-" + port + ".conf");
            Files.writeString(config, String.join("\n",
                    "port " + port,
                    "bind 127.0.0.1",
                    "daemonize no",
                    "dir " + dir,
                    "sentinel monitor " + SENTINEL_MASTER + " 127.0.0.1 " + primaryPort + " 2",
                    ""));
            String role = "sentinel" + number;
            Member started = launch(role, port, List.of(SERVER, config.toString(), "--sentinel"));
            if (started != null) {
                return started;
            }
            failures += "\nport " + port + ": " + tail(dir.resolve(role + "-" + port + ".log"));
        }
        throw new IllegalStateException("sentinel " + number + " did not start:" + failures);
    }

    /** Starts {@code command}, output to {@code role-port.log}; null (and killed) if it did not answer PING. */
    private Member launch(String role, int port, List<String> command) throws IOException, InterruptedException {
        Path log = dir.resolve(role + "-" + port + ".log");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        process.getOutputStream().close();
        Member member = new Member(role, port, process, log);
        members.add(member);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (run(List.of(CLI, "-h", "127.0.0.1", "-p", Integer.toString(port), "ping"), COMMAND_DEADLINE)
                    .output().strip().equals("PONG")) {
                return member;
            }
            Thread.sleep(50);
        }
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        members.remove(member);
        return null;
    }

    private int freshPort() throws IOException {
        while (true) {
            int port = ChildJvm.freePort();
            if (usedPorts.add(port)) {
                return port;
            }
        }
    }

    private static void awaitReady(java.util.function.Supplier<String> problem) throws InterruptedException {
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        String wrong;
        while ((wrong = problem.get()) != null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not ready within " + START_DEADLINE + ": " + wrong);
            }
            Thread.sleep(100);
        }
    }

    /** Stops every process, sentinels and replicas first; never throws (it may run from the shutdown hook). */
    @Override
    public void close() {
        OPEN.remove(this);
        List<Member> reverse = new ArrayList<>(members);
        java.util.Collections.reverse(reverse);
        reverse.forEach(m -> m.process().destroy()); // SIGTERM: without persistence each exits at once
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (Member m : reverse) {
                long left = deadline - System.nanoTime();
                if (!m.process().waitFor(Math.max(left, 0), TimeUnit.NANOSECONDS)) {
                    m.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            if (one != null) {
                one.close();
            }
        } catch (InterruptedException e) {
            reverse.forEach(m -> m.process().destroyForcibly());
            Thread.currentThread().interrupt();
        }
    }

    private record Result(int exitCode, String output) {
    }

    /** A command's reply, errors included (redis-cli exits 0 after most error replies: callers check the text). */
    private static String cli(int port, String... args) {
        List<String> command = new ArrayList<>(List.of(CLI, "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        return run(command, COMMAND_DEADLINE).output();
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
            throw new UncheckedIOException("cannot run " + command.get(0) + " (is Redis installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The end of every log in the directory, for failure messages. */
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
            return text.length() > 1500 ? text.substring(text.length() - 1500) : text;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
