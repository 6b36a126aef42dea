package io.parley.gateway.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.parley.gateway.bus.ClusterOptions;
import io.parley.gateway.config.ConfigLoader;
import io.parley.gateway.config.ParleyConfig;
import io.parley.gateway.http.HealthRoutes;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.parley.gateway.config.Settings.HISTORY_TIMEOUT;
import static io.parley.gateway.config.Settings.JWT_SECRET;
import static io.parley.gateway.config.Settings.NODE_ID;
import static io.parley.gateway.config.Settings.PORT;
import static io.parley.gateway.config.Settings.REDIS_URL;
import static io.parley.gateway.config.Settings.SHUTDOWN_CLOSE_WINDOW;
import static io.parley.gateway.config.Settings.SHUTDOWN_GRACE;
import static io.parley.gateway.config.Settings.STORAGE_URL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * deploy/ cannot be run here (no container engine, no cluster), so its files are read and held
 * to the node's code: every PARLEY_* they set is a variable the node reads, the values load as a
 * configuration, ports and probe paths are the node's, the image copies the jar Maven builds, and
 * Kubernetes waits for the drain.
 */
class DeployFilesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize(); // surefire runs in gateway/
    private static final Path DEPLOY = ROOT.resolve("deploy");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> VARIABLES = Set.copyOf(ConfigLoader.environmentVariables());
    /** Stands in for a real token key where a file holds a placeholder or an unset variable. */
    private static final String TEST_KEY = "0123456789abcdef0123456789abcdef";

    // --- Dockerfile ---------------------------------------------------------------------------

    @Test
    void theImageBuildsWithTheWrapperAndRunsTheJarMavenBuildsAsNonRoot() throws Exception {
        Dockerfile docker = Dockerfile.read(DEPLOY.resolve("Dockerfile"));
        List<Dockerfile.Line> froms = docker.all("FROM");
        assertThat(froms).hasSize(2);
        assertThat(froms.get(0).args()).contains(":17-jdk").endsWith(" AS build");
        assertThat(froms.get(1).args()).contains(":17-jre");

        String build = String.join("\n", docker.inStage(0, "RUN").stream().map(Dockerfile.Line::args).toList());
        assertThat(build).contains("./mvnw").contains("-pl gateway -am").contains("package");
        assertThat(ROOT.resolve("mvnw")).isExecutable();

        // The jar: what the shade plugin names it, where the build stage built it.
        String jar = "gateway/target/" + shadedJarName() + ".jar";
        String workdir = docker.inStage(0, "WORKDIR").get(0).args();
        String[] copy = docker.inStage(1, "COPY").stream().map(Dockerfile.Line::args)
                .filter(args -> args.startsWith("--from=build ")).findFirst().orElseThrow().split("\\s+");
        assertThat(copy[1]).isEqualTo(workdir + "/" + jar);
        assertThat(docker.inStage(1, "ENTRYPOINT").get(0).args()).contains("\"" + copy[2] + "\"");

        String user = docker.inStage(1, "USER").get(0).args();
        assertThat(user.split(":")[0]).as("a numeric uid, so that runAsNonRoot can check it").matches("\\d+")
                .isNotEqualTo("0");
        assertThat(docker.indexOf("USER")).isLessThan(docker.indexOf("ENTRYPOINT"));
    }

    @Test
    void theImageExposesAndHealthChecksTheNodesPort() throws Exception {
        Dockerfile docker = Dockerfile.read(DEPLOY.resolve("Dockerfile"));
        Map<String, String> env = docker.env();
        assertThat(VARIABLES).containsAll(parleyNames(env.keySet()));
        ParleyConfig config = ConfigLoader.load(env);

        assertThat(docker.inStage(1, "EXPOSE").get(0).args()).isEqualTo(String.valueOf(config.get(PORT)));
        String check = docker.inStage(1, "HEALTHCHECK").get(0).args();
        assertThat(check).contains("GET " + HealthRoutes.HEALTH_PATH + " ")
                .as("follows PARLEY_PORT, else the default").contains("${PARLEY_PORT:-" + PORT.defaultValue() + "}");
    }

    // --- Compose ------------------------------------------------------------------------------

    @Test
    void composeRunsTwoNodesOfTheImageOnOneKeyWithRealSettings() throws Exception {
        JsonNode services = YAML.readTree(DEPLOY.resolve("compose.yaml").toFile()).path("services");
        Map<String, JsonNode> nodes = new HashMap<>();
        services.fields().forEachRemaining(service -> {
            JsonNode build = service.getValue().path("build");
            if (build.isObject()) {
                assertThat(DEPLOY.resolve(build.path("context").asText()).normalize()).isEqualTo(ROOT);
                assertThat(build.path("dockerfile").asText()).isEqualTo("deploy/Dockerfile");
                nodes.put(service.getKey(), service.getValue());
            }
        });
        assertThat(nodes).hasSize(2);

        Set<Integer> nodeIds = new HashSet<>();
        Set<String> keys = new HashSet<>();
        for (JsonNode node : nodes.values()) {
            Map<String, String> env = interpolated(node.path("environment"));
            assertThat(VARIABLES).containsAll(parleyNames(env.keySet()));
            ParleyConfig config = ConfigLoader.load(env);
            nodeIds.add(config.get(NODE_ID));
            keys.add(config.get(JWT_SECRET));
            assertThat(config.get(STORAGE_URL)).startsWith("jdbc:postgresql://postgres:");
            assertThat(config.get(REDIS_URL)).startsWith("redis://redis:");
            assertThat(node.path("ports").get(0).asText()).endsWith(":" + config.get(PORT));
            assertThat(duration(node.path("stop_grace_period").asText())).isGreaterThan(drainLowerBound(config));
        }
        assertThat(nodeIds).as("distinct node ids").hasSize(2);
        assertThat(keys).as("one token key").hasSize(1).doesNotContainNull();
    }

    /** Prometheus reads config/prometheus.yml; once that file is there, its targets are the compose nodes. */
    @Test
    void composePrometheusScrapesTheNodes() throws Exception {
        JsonNode compose = YAML.readTree(DEPLOY.resolve("compose.yaml").toFile());
        List<String> mounts = new ArrayList<>();
        compose.path("services").path("prometheus").path("volumes").forEach(v -> mounts.add(v.asText()));
        assertThat(mounts).anySatisfy(mount -> {
            String[] parts = mount.split(":");
            assertThat(DEPLOY.resolve(parts[0]).normalize()).isEqualTo(ROOT.resolve("config/prometheus.yml"));
            assertThat(parts[1]).isEqualTo("/etc/prometheus/prometheus.yml");
        });

        Path prometheus = ROOT.resolve("config/prometheus.yml");
        if (!Files.exists(prometheus)) {
            return; // written on another branch; the mount above is all that can be checked without it
        }
        Set<String> names = new HashSet<>();
        compose.path("services").fields().forEachRemaining(service -> {
            names.add(service.getKey());
            service.getValue().path("networks").path("default").path("aliases").forEach(a -> names.add(a.asText()));
        });
        List<String> targets = new ArrayList<>();
        YAML.readTree(prometheus.toFile()).path("scrape_configs").forEach(job -> job.path("static_configs")
                .forEach(group -> group.path("targets").forEach(t -> targets.add(t.asText()))));
        assertThat(targets).isNotEmpty().allSatisfy(target -> {
            String[] hostPort = target.split(":");
            assertThat(names).as("a compose service or alias").contains(hostPort[0]);
            assertThat(hostPort[1]).isEqualTo(String.valueOf(PORT.defaultValue()));
        });
    }

    // --- Kubernetes ---------------------------------------------------------------------------

    @Test
    void kubernetesSetsOnlyRealVariablesAndProbesTheNodesPortAndPaths() throws Exception {
        Manifests k8s = Manifests.read(DEPLOY.resolve("k8s"));
        JsonNode container = k8s.container();
        List<String> named = new ArrayList<>();
        container.path("env").forEach(e -> named.add(e.path("name").asText()));
        container.path("envFrom").forEach(from -> {
            JsonNode ref = from.has("configMapRef") ? from.path("configMapRef") : from.path("secretRef");
            assertThat(k8s.named(from.has("configMapRef") ? "ConfigMap" : "Secret", ref.path("name").asText()))
                    .as("envFrom %s", ref).isNotNull();
        });
        named.addAll(k8s.configMapAndSecretKeys());
        assertThat(VARIABLES).containsAll(parleyNames(named));

        ParleyConfig config = ConfigLoader.load(k8s.environment(TEST_KEY));
        JsonNode port = container.path("ports").get(0);
        assertThat(port.path("containerPort").asInt()).isEqualTo(config.get(PORT));
        String portName = port.path("name").asText();
        assertThat(probe(container, "livenessProbe").path("path").asText()).isEqualTo(HealthRoutes.HEALTH_PATH);
        assertThat(probe(container, "startupProbe").path("path").asText()).isEqualTo(HealthRoutes.HEALTH_PATH);
        assertThat(probe(container, "readinessProbe").path("path").asText()).isEqualTo(HealthRoutes.READY_PATH);
        for (String kind : List.of("livenessProbe", "startupProbe", "readinessProbe")) {
            assertThat(probe(container, kind).path("port").asText()).isIn(portName, String.valueOf(config.get(PORT)));
        }
        for (JsonNode service : k8s.all("Service")) {
            assertThat(service.path("spec").path("ports").get(0).path("targetPort").asText()).isEqualTo(portName);
            assertThat(service.path("spec").path("selector")).isEqualTo(k8s.podTemplate().path("metadata").path("labels"));
        }
        int uid = Integer.parseInt(Dockerfile.read(DEPLOY.resolve("Dockerfile")).inStage(1, "USER").get(0).args().split(":")[0]);
        JsonNode security = k8s.podTemplate().path("spec").path("securityContext");
        assertThat(security.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(security.path("runAsUser").asInt()).isEqualTo(uid);
    }

    @Test
    void kubernetesGivesEveryPodItsOwnNodeIdAndWaitsForTheDrain() throws Exception {
        Manifests k8s = Manifests.read(DEPLOY.resolve("k8s"));
        JsonNode set = k8s.all("StatefulSet").get(0);
        JsonNode nodeId = k8s.container().path("env").findParents("name").stream()
                .filter(e -> e.path("name").asText().equals("PARLEY_NODE_ID")).findFirst().orElseThrow();
        assertThat(nodeId.path("valueFrom").path("fieldRef").path("fieldPath").asText())
                .isEqualTo("metadata.labels['apps.kubernetes.io/pod-index']");
        int replicas = set.path("spec").path("replicas").asInt();
        assertThat(replicas).isPositive();
        assertThat(NODE_ID.allows(replicas - 1)).as("a node id for every replica").isTrue();

        ParleyConfig config = ConfigLoader.load(k8s.environment(TEST_KEY));
        JsonNode preStop = k8s.container().path("lifecycle").path("preStop").path("exec").path("command");
        Duration pause = Duration.ofSeconds(preStop.path(0).asText().equals("sleep") ? preStop.get(1).asLong() : 0);
        assertThat(config.get(SHUTDOWN_GRACE)).as("not ready, still serving, before any socket closes").isPositive();
        Duration grace = Duration.ofSeconds(k8s.podTemplate().path("spec").path("terminationGracePeriodSeconds").asLong());
        assertThat(grace).isGreaterThan(pause.plus(drainLowerBound(config)));
    }

    /** Applied by mistake, the shipped Secret must stop the node rather than sign with a known key. */
    @Test
    void theShippedSecretIsAPlaceholderTheNodeRefuses() throws Exception {
        Manifests k8s = Manifests.read(DEPLOY.resolve("k8s"));
        assertThatThrownBy(() -> ConfigLoader.load(k8s.environment(null)))
                .hasMessageContaining("jwt_secret must be at least 32 characters");
    }

    // --- helpers ------------------------------------------------------------------------------

    /**
     * Less than the node's stop on SIGTERM can take (ParleyServer.close): the grace and the close
     * window, then the history queues get up to twice history_timeout, then the bus its shutdown
     * timeout.
     */
    private static Duration drainLowerBound(ParleyConfig config) {
        return config.get(SHUTDOWN_GRACE).plus(config.get(SHUTDOWN_CLOSE_WINDOW))
                .plus(config.get(HISTORY_TIMEOUT).multipliedBy(2)).plus(ClusterOptions.DEFAULT_SHUTDOWN_TIMEOUT);
    }

    private static String shadedJarName() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(ROOT.resolve("gateway/pom.xml").toFile());
        assertThat(pom.getElementsByTagName("finalName").getLength()).isEqualTo(1);
        return pom.getElementsByTagName("finalName").item(0).getTextContent().trim();
    }

    private static List<String> parleyNames(Iterable<String> names) {
        List<String> parley = new ArrayList<>();
        names.forEach(name -> {
            if (name.startsWith("PARLEY_")) {
                parley.add(name);
            }
        });
        assertThat(parley).isNotEmpty();
        return parley;
    }

    /** Compose's {@code ${NAME:-default}} as with NAME unset. */
    private static Map<String, String> interpolated(JsonNode environment) {
        Map<String, String> env = new HashMap<>();
        environment.fields().forEachRemaining(e -> env.put(e.getKey(),
                e.getValue().asText().replaceAll("\\$\\{[A-Z_]+:-([^}]*)}", "$1")));
        return env;
    }

    private static JsonNode probe(JsonNode container, String kind) {
        JsonNode get = container.path(kind).path("httpGet");
        assertThat(get.isObject()).as(kind).isTrue();
        return get;
    }

    private static Duration duration(String compose) {
        Matcher m = Pattern.compile("(\\d+)s").matcher(compose);
        assertThat(m.matches()).as("a duration in seconds: %s", compose).isTrue();
        return Duration.ofSeconds(Long.parseLong(m.group(1)));
    }

    /** A Dockerfile's instructions, continuation lines joined, comments dropped, numbered by stage. */
    record Dockerfile(List<Line> lines) {
        record Line(int stage, String instruction, String args) {
        }

        static Dockerfile read(Path path) throws IOException {
            List<Line> lines = new ArrayList<>();
            StringBuilder pending = new StringBuilder();
            int stage = -1;
            for (String raw : Files.readAllLines(path)) {
                String line = raw.strip();
                if (line.startsWith("#") || line.isEmpty() && pending.isEmpty()) {
                    continue;
                }
                if (line.endsWith("\\")) {
                    pending.append(line, 0, line.length() - 1).append(' ');
                    continue;
                }
                String whole = pending.append(line).toString().strip();
                pending.setLength(0);
                String[] parts = whole.split("\\s+", 2);
                String instruction = parts[0].toUpperCase();
                if (instruction.equals("FROM")) {
                    stage++;
                }
                lines.add(new Line(stage, instruction, parts.length > 1 ? parts[1].replaceAll("\\s+", " ") : ""));
            }
            return new Dockerfile(lines);
        }

        List<Line> all(String instruction) {
            return lines.stream().filter(l -> l.instruction().equals(instruction)).toList();
        }

        List<Line> inStage(int stage, String instruction) {
            List<Line> found = all(instruction).stream().filter(l -> l.stage() == stage).toList();
            assertThat(found).as("%s in stage %d", instruction, stage).isNotEmpty();
            return found;
        }

        int indexOf(String instruction) {
            return lines.indexOf(all(instruction).get(0));
        }

        /** The ENV of the final stage, as the node's environment. */
        Map<String, String> env() {
            int last = lines.get(lines.size() - 1).stage();
            Map<String, String> env = new HashMap<>();
            all("ENV").stream().filter(l -> l.stage() == last).forEach(l -> {
                Matcher m = Pattern.compile("([A-Z_]+)=(\\S+)").matcher(l.args());
                while (m.find()) {
                    env.put(m.group(1), m.group(2));
                }
            });
            return env;
        }
    }

    /** Every document of every YAML file in a folder of Kubernetes manifests. */
    record Manifests(List<JsonNode> documents) {
        static Manifests read(Path dir) throws IOException {
            List<JsonNode> documents = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                    YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile()).readAll().stream()
                            .filter(d -> d != null && d.isObject()).forEach(documents::add);
                }
            }
            assertThat(documents).isNotEmpty();
            return new Manifests(documents);
        }

        List<JsonNode> all(String kind) {
            List<JsonNode> found = documents.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
            assertThat(found).as(kind).isNotEmpty();
            return found;
        }

        JsonNode named(String kind, String name) {
            return all(kind).stream().filter(d -> d.path("metadata").path("name").asText().equals(name))
                    .findFirst().orElse(null);
        }

        JsonNode podTemplate() {
            return all("StatefulSet").get(0).path("spec").path("template");
        }

        JsonNode container() {
            JsonNode containers = podTemplate().path("spec").path("containers");
            assertThat(containers).hasSize(1);
            return containers.get(0);
        }

        List<String> configMapAndSecretKeys() {
            List<String> keys = new ArrayList<>();
            all("ConfigMap").forEach(c -> c.path("data").fieldNames().forEachRemaining(keys::add));
            all("Secret").forEach(s -> s.path("stringData").fieldNames().forEachRemaining(keys::add));
            return keys;
        }

        /**
         * A pod's environment: ConfigMap and Secret values, the container's literal values and
         * node id 0 for the pod-index label. {@code key}, when given, replaces the Secret's
         * placeholder token key.
         */
        Map<String, String> environment(String key) {
            Map<String, String> env = new HashMap<>();
            all("ConfigMap").forEach(c -> c.path("data").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText())));
            all("Secret").forEach(s -> s.path("stringData").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText())));
            container().path("env").forEach(e -> env.put(e.path("name").asText(),
                    e.has("value") ? e.path("value").asText() : "0"));
            if (key != null) {
                env.put("PARLEY_JWT_SECRET", key);
            }
            return env;
        }
    }
}
