package io.parley.gateway.config;

import io.parley.gateway.logging.LogFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    @Test
    void noConfigurationMeansTheDocumentedDefaults() {
        ParleyConfig config = ConfigLoader.load(Map.of());
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.dataDir()).isEqualTo(Path.of("data"));
        assertThat(config.storageUrl()).isNull();
        assertThat(config.devTokens()).as("no key configured: dev tokens on").isTrue();
        assertThat(config.allowedOrigins()).containsExactly("*");
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.ioThreads()).as("one event loop per core").isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(config.logFormat()).isEqualTo(LogFormat.TEXT);
    }

    @Test
    void environmentOverridesTheFileWhichOverridesDefaults(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("parley.yaml");
        Files.writeString(file, "port: 9000\nnode_id: 3\nallowed_origins: [\"https://a.example\", \"https://b.example\"]\n"
                + "jwt_secret: file-secret-file-secret-file-secret-0000\n");
        ParleyConfig config = ConfigLoader.load(Map.of(
                "PARLEY_CONFIG", file.toString(),
                "PARLEY_PORT", "9100",
                "PARLEY_IDLE_TIMEOUT", "90s",
                "PARLEY_LOG_LEVEL", "DEBUG", // logback's, not ours: must not be refused as unknown
                "PATH", "/usr/bin"));
        assertThat(config.port()).isEqualTo(9100);
        assertThat(config.nodeId()).isEqualTo(3);
        assertThat(ConfigLoader.load(Map.of("PARLEY_IO_THREADS", "3")).ioThreads()).isEqualTo(3);
        assertThat(ConfigLoader.load(Map.of("PARLEY_LOG_FORMAT", "JSON")).logFormat()).isEqualTo(LogFormat.JSON);
        assertThat(config.allowedOrigins()).containsExactly("https://a.example", "https://b.example");
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.devTokens()).as("a key is configured: dev tokens off unless asked").isFalse();
    }

    @Test
    void environmentVariablesThatAreNotKeysAreWarnedAboutAndIgnored() {
        // What Kubernetes injects for a Service named "parley", a leftover, and a typo.
        Map<String, String> environment = Map.of(
                "PARLEY_SERVICE_HOST", "10.0.0.1",
                "PARLEY_SERVICE_PORT", "8080",
                "PARLEY_PORT", "tcp://10.0.0.1:8080",
                "PARLEY_PORT_8080_TCP_ADDR", "10.0.0.1",
                "PARLEY_OLD_THING", "x",
                "PARLEY_NODE_IDD", "3",
                "PARLEY_IO_THREADS", "3",
                "HOME", "/root");

        ParleyConfig config = ConfigLoader.load(environment);
        assertThat(config.port()).as("the default: a service link is not a port").isEqualTo(ParleyConfig.DEFAULT_PORT);
        assertThat(config.nodeId()).isZero();
        assertThat(config.ioThreads()).isEqualTo(3);

        List<String> warnings = new ArrayList<>();
        assertThat(EnvironmentKeys.of(environment, Set.of("port", "node_id", "io_threads"), Set.of(), warnings::add))
                .containsExactly(Map.entry("io_threads", "3"));
        assertThat(warnings).containsExactly(
                "ignoring PARLEY_NODE_IDD: not a configuration key; did you mean PARLEY_NODE_ID?",
                "ignoring PARLEY_OLD_THING: not a configuration key",
                "ignoring PARLEY_PORT: a Kubernetes service link, not configuration (a PARLEY_PORT set in the pod"
                        + " spec wins over it; enableServiceLinks: false turns them off)",
                "ignoring PARLEY_PORT_8080_TCP_ADDR: a Kubernetes service link, not configuration (a"
                        + " PARLEY_PORT_8080_TCP_ADDR set in the pod spec wins over it; enableServiceLinks: false turns them off)",
                "ignoring PARLEY_SERVICE_HOST: a Kubernetes service link, not configuration (a PARLEY_SERVICE_HOST set"
                        + " in the pod spec wins over it; enableServiceLinks: false turns them off)",
                "ignoring PARLEY_SERVICE_PORT: a Kubernetes service link, not configuration (a PARLEY_SERVICE_PORT set"
                        + " in the pod spec wins over it; enableServiceLinks: false turns them off)");
    }

    @Test
    void unknownKeysInTheFileAndBadValuesFailFastNamingThem(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("parley.yaml");
        Files.writeString(file, "prot: 8080\n");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_CONFIG", file.toString())))
                .hasMessageContaining("unknown configuration key 'prot'");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_PORT", "eighty")))
                .hasMessageContaining("port").hasMessageContaining("eighty");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_PORT", "70000")))
                .hasMessageContaining("port must be 0..65535, got 70000");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_JWT_SECRET", "short")))
                .hasMessageContaining("at least 32 characters");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_NODE_ID", "32")))
                .hasMessageContaining("node_id must be 0..31");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_IO_THREADS", "-1")))
                .hasMessageContaining("io_threads must be 0 (one per CPU core)..256, got -1");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_IDLE_TIMEOUT", "soon")))
                .hasMessageContaining("idle_timeout");
        // The history store's own bounds, checked with the rest of the configuration (not at start-up).
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_HISTORY_QUEUE_CAPACITY", "2000000")))
                .hasMessageContaining("history_queue_capacity must be 1..1000000, got 2000000");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_HISTORY_TIMEOUT", "1h")))
                .hasMessageContaining("history_timeout must be in (0, PT10M], got PT1H");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_LOG_FORMAT", "xml")))
                .hasMessageContaining("bad value for log_format ('xml'): expected text or json");
        // Read before the configuration (for its own warnings): a bad value means text until the load refuses it.
        assertThat(LogFormat.fromEnvironment(Map.of("PARLEY_LOG_FORMAT", "xml"))).isEqualTo(LogFormat.TEXT);
        assertThat(LogFormat.fromEnvironment(Map.of("PARLEY_LOG_FORMAT", "json"))).isEqualTo(LogFormat.JSON);
    }

    /** One source of token keys; a JWKS URL is http(s) and rules out development tokens. */
    @Test
    void aJwksUrlIsTheOnlyKeySourceAndAnHttpUrl() {
        String url = "https://id.example.com/.well-known/jwks.json";
        ParleyConfig config = ConfigLoader.load(Map.of("PARLEY_JWT_JWKS_URL", url));
        assertThat(config.jwtJwksUrl()).isEqualTo(url);
        assertThat(config.devTokens()).as("a configured key turns development tokens off").isFalse();
        assertThat(config.toString()).contains("jwt=jwks:" + url);
        String notSeveral = "set one of jwt_secret (HS256), jwt_public_key_file or jwt_jwks_url (RS256/ES256), not several";
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_JWT_JWKS_URL", url,
                "PARLEY_JWT_SECRET", "long-enough-secret-long-enough-secret-0000")))
                .hasMessageContaining(notSeveral);
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_JWT_JWKS_URL", url,
                "PARLEY_JWT_PUBLIC_KEY_FILE", "/etc/parley/public.pem")))
                .hasMessageContaining(notSeveral);
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_JWT_JWKS_URL", "ftp://id.example.com/jwks")))
                .hasMessageContaining("jwt_jwks_url must be an https:// or http:// URL, got 'ftp://id.example.com/jwks'");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_JWT_JWKS_URL", url, "PARLEY_DEV_TOKENS", "true")))
                .hasMessageContaining("cannot be used with jwt_public_key_file or jwt_jwks_url");
    }

    @Test
    void durationsAcceptUnitsAndIso() {
        assertThat(ConfigLoader.duration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(ConfigLoader.duration("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(ConfigLoader.duration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(ConfigLoader.duration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(ConfigLoader.duration("PT5S")).isEqualTo(Duration.ofSeconds(5));
    }

    /** config/parley.yaml documents exactly the keys the loader knows, and loads as-is. */
    @Test
    void theShippedConfigFileDocumentsEveryKey() throws IOException {
        Path shipped = Path.of("..", "config", "parley.yaml");
        Matcher keys = Pattern.compile("(?m)^([a-z_]+):").matcher(Files.readString(shipped));
        TreeSet<String> documented = new TreeSet<>();
        while (keys.find()) {
            documented.add(keys.group(1));
        }
        assertThat(documented).containsExactlyInAnyOrderElementsOf(new TreeSet<>(ConfigLoader.keys()));
        ParleyConfig fromFile = ConfigLoader.load(Map.of("PARLEY_CONFIG", shipped.toString()));
        assertThat(fromFile.port()).isEqualTo(ParleyConfig.DEFAULT_PORT);
        assertThat(fromFile.maxFrameBytes()).isEqualTo(ParleyConfig.DEFAULT_MAX_FRAME_BYTES);
        assertThat(List.of(fromFile.historyTimeout())).containsExactly(ParleyConfig.DEFAULT_HISTORY_TIMEOUT);
    }
}
