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

import static io.parley.gateway.config.Settings.ALLOWED_ORIGINS;
import static io.parley.gateway.config.Settings.DATA_DIR;
import static io.parley.gateway.config.Settings.DEV_TOKENS;
import static io.parley.gateway.config.Settings.IDLE_TIMEOUT;
import static io.parley.gateway.config.Settings.IO_THREADS;
import static io.parley.gateway.config.Settings.JWT_JWKS_URL;
import static io.parley.gateway.config.Settings.LOG_FORMAT;
import static io.parley.gateway.config.Settings.NODE_ID;
import static io.parley.gateway.config.Settings.PORT;
import static io.parley.gateway.config.Settings.STORAGE_URL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    @Test
    void noConfigurationMeansTheDocumentedDefaults() {
        ParleyConfig config = ConfigLoader.load(Map.of());
        assertThat(config.get(PORT)).isEqualTo(8080);
        assertThat(config.get(DATA_DIR)).isEqualTo(Path.of("data"));
        assertThat(config.get(STORAGE_URL)).isNull();
        assertThat(config.get(DEV_TOKENS)).as("no key configured: dev tokens on").isTrue();
        assertThat(config.get(ALLOWED_ORIGINS)).containsExactly("*");
        assertThat(config.get(IDLE_TIMEOUT)).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.get(IO_THREADS)).as("one event loop per core").isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(config.get(LOG_FORMAT)).isEqualTo(LogFormat.TEXT);
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
        assertThat(config.get(PORT)).isEqualTo(9100);
        assertThat(config.get(NODE_ID)).isEqualTo(3);
        assertThat(ConfigLoader.load(Map.of("PARLEY_IO_THREADS", "3")).get(IO_THREADS)).isEqualTo(3);
        assertThat(ConfigLoader.load(Map.of("PARLEY_LOG_FORMAT", "JSON")).get(LOG_FORMAT)).isEqualTo(LogFormat.JSON);
        assertThat(config.get(ALLOWED_ORIGINS)).containsExactly("https://a.example", "https://b.example");
        assertThat(config.get(IDLE_TIMEOUT)).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.get(DEV_TOKENS)).as("a key is configured: dev tokens off unless asked").isFalse();
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
        assertThat(config.get(PORT)).as("the default: a service link is not a port").isEqualTo(PORT.defaultValue());
        assertThat(config.get(NODE_ID)).isZero();
        assertThat(config.get(IO_THREADS)).isEqualTo(3);

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
                .hasMessageContaining("io_threads must be 0..256, got -1");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_IDLE_TIMEOUT", "soon")))
                .hasMessageContaining("idle_timeout");
        // The history store's own bounds, checked with the rest of the configuration (not at start-up).
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_HISTORY_QUEUE_CAPACITY", "2000000")))
                .hasMessageContaining("history_queue_capacity must be 1..1000000, got 2000000");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_HISTORY_TIMEOUT", "1h")))
                .hasMessageContaining("history_timeout must be 1ms..10m, got 1h");
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
        assertThat(config.get(JWT_JWKS_URL)).isEqualTo(url);
        assertThat(config.get(DEV_TOKENS)).as("a configured key turns development tokens off").isFalse();
        assertThat(config.toString()).contains("jwt_jwks_url=" + url);
        String notSeveral = "set one of jwt_secret (HS256), jwt_public_key_file or jwt_jwks_url (RS256/ES256), not several";
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_JWT_JWKS_URL", url,
                "PARLEY_JWT_SECRET", "long-enough-secret-long-enough-secret-0000")))
                .hasMessageContaining(notSeveral);
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_JWT_JWKS_URL", url,
                "PARLEY_JWT_PUBLIC_KEY_FILE", "/etc/parley/public.pem")))
                .hasMessageContaining(notSeveral);
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_JWT_JWKS_URL", "ftp://id.example.com/jwks")))
                .hasMessageContaining("jwt_jwks_url must be an https:// or http:// URL, got ftp://id.example.com/jwks");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_JWT_JWKS_URL", url, "PARLEY_DEV_TOKENS", "true")))
                .hasMessageContaining("cannot be used with jwt_public_key_file or jwt_jwks_url");
    }

    @Test
    void durationsAcceptUnitsAndIso() {
        assertThat(Setting.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Setting.parseDuration("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(Setting.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Setting.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Setting.parseDuration("PT5S")).isEqualTo(Duration.ofSeconds(5));
    }

    /** A secret never reaches the log line, a Redis password neither. */
    @Test
    void theLoggedConfigurationHidesSecrets() {
        ParleyConfig config = ConfigLoader.load(Map.of(
                "PARLEY_JWT_SECRET", "file-secret-file-secret-file-secret-0000",
                "PARLEY_STORAGE_PASSWORD", "db-password",
                "PARLEY_REDIS_URL", "redis://parley:redis-password@10.0.0.5:6379"));
        assertThat(config.toString())
                .contains("jwt_secret=*** ", "storage_password=*** ", "redis_url=redis://parley:***@10.0.0.5:6379 ",
                        "storage_url=- ", "port=8080 ")
                .doesNotContain("file-secret", "db-password", "redis-password");
        assertThat(config.shown()).containsEntry("jwt_secret", "***").containsEntry("port", "8080")
                .containsEntry("webhook_url", "-");
    }

    /** Passwords and secret parameters inside URLs are hidden too, the rest of the URL kept. */
    @Test
    void credentialsInUrlsAreHidden() {
        ParleyConfig config = ConfigLoader.load(Map.of(
                "PARLEY_STORAGE_URL", "jdbc:postgresql://db:5432/parley?user=app&password=pg-secret&ssl=true",
                "PARLEY_WEBHOOK_URL", "https://hooks:hook-password@app.example.com/parley?token=hook-token&x=1",
                "PARLEY_WEBHOOK_SECRET", "webhook-secret-webhook-secret-0123456789"));
        assertThat(config.shown())
                .containsEntry("storage_url", "jdbc:postgresql://db:5432/parley?user=app&password=***&ssl=true")
                .containsEntry("webhook_url", "https://hooks:***@app.example.com/parley?token=***&x=1")
                .containsEntry("webhook_secret", "***");
        assertThat(config.toString()).doesNotContain("pg-secret", "hook-password", "hook-token", "webhook-secret-");
    }

    /** Bounds that involve two keys are checked once each key is valid on its own. */
    @Test
    void keysBoundedByOtherKeys() {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_MAX_FRAME_BYTES", "2048",
                "PARLEY_MAX_TEXT_LENGTH", "4000")))
                .hasMessageContaining("max_text_length must be at most max_frame_bytes (2048), got 4000");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_HISTORY_QUEUE_CAPACITY", "100")))
                .hasMessageContaining("history_batch_size must be at most history_queue_capacity (100), got 500");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_TLS_CERT_FILE", "/etc/hosts")))
                .hasMessageContaining("set both tls_cert_file and tls_key_file, or neither");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_TLS_CERT_FILE", "/nonexistent/cert.pem",
                "PARLEY_TLS_KEY_FILE", "/nonexistent/key.pem")))
                .hasMessageContaining("tls_cert_file must be a readable file, got /nonexistent/cert.pem");
    }
}
