package io.parley.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.parley.gateway.logging.LogFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Builds {@link ParleyConfig} from, in increasing priority: the built-in defaults, an optional
 * YAML file ({@code PARLEY_CONFIG=path}, flat keys as in {@code config/parley.yaml}) and
 * environment variables ({@code PARLEY_} + the key in upper case, e.g. {@code PARLEY_PORT}).
 * Unknown keys in the file and unparsable values fail start-up with a message naming them;
 * {@code PARLEY_*} variables that are not keys are warned about and ignored ({@link EnvironmentKeys}).
 */
public final class ConfigLoader {
    public static final String CONFIG_FILE_VARIABLE = "PARLEY_CONFIG";
    /** Read by logback.xml itself, not a configuration key. */
    public static final String LOG_LEVEL_VARIABLE = "PARLEY_LOG_LEVEL";
    private static final Logger log = LoggerFactory.getLogger(ConfigLoader.class);

    /** Every key, in the order of {@code config/parley.yaml}. */
    private static final Map<String, BiConsumer<ParleyConfig.Builder, String>> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("port", (b, v) -> b.port(integer(v)));
        KEYS.put("bind_address", ParleyConfig.Builder::bindAddress);
        KEYS.put("node_id", (b, v) -> b.nodeId(integer(v)));
        KEYS.put("io_threads", (b, v) -> b.ioThreads(integer(v)));
        KEYS.put("tls_cert_file", (b, v) -> b.tlsCertFile(Path.of(v)));
        KEYS.put("tls_key_file", (b, v) -> b.tlsKeyFile(Path.of(v)));
        KEYS.put("permessage_deflate", (b, v) -> b.permessageDeflate(bool(v)));
        KEYS.put("data_dir", (b, v) -> b.dataDir(Path.of(v)));
        KEYS.put("storage_url", ParleyConfig.Builder::storageUrl);
        KEYS.put("storage_user", ParleyConfig.Builder::storageUser);
        KEYS.put("storage_password", ParleyConfig.Builder::storagePassword);
        KEYS.put("jwt_secret", ParleyConfig.Builder::jwtSecret);
        KEYS.put("jwt_public_key_file", (b, v) -> b.jwtPublicKeyFile(Path.of(v)));
        KEYS.put("jwt_jwks_url", ParleyConfig.Builder::jwtJwksUrl);
        KEYS.put("jwt_issuer", ParleyConfig.Builder::jwtIssuer);
        KEYS.put("jwt_audience", ParleyConfig.Builder::jwtAudience);
        KEYS.put("jwt_leeway", (b, v) -> b.jwtLeeway(duration(v)));
        KEYS.put("dev_tokens", (b, v) -> b.devTokens(bool(v)));
        KEYS.put("dev_token_ttl", (b, v) -> b.devTokenTtl(duration(v)));
        KEYS.put("allowed_origins", (b, v) -> b.allowedOrigins(list(v)));
        KEYS.put("max_frame_bytes", (b, v) -> b.maxFrameBytes(integer(v)));
        KEYS.put("max_text_length", (b, v) -> b.maxTextLength(integer(v)));
        KEYS.put("max_outbound_bytes", (b, v) -> b.maxOutboundBytes(integer(v)));
        KEYS.put("handshake_timeout", (b, v) -> b.handshakeTimeout(duration(v)));
        KEYS.put("idle_timeout", (b, v) -> b.idleTimeout(duration(v)));
        KEYS.put("history_queue_capacity", (b, v) -> b.historyQueueCapacity(integer(v)));
        KEYS.put("history_batch_size", (b, v) -> b.historyBatchSize(integer(v)));
        KEYS.put("history_timeout", (b, v) -> b.historyTimeout(duration(v)));
        KEYS.put("history_writer_threads", (b, v) -> b.historyWriterThreads(integer(v)));
        KEYS.put("history_read_threads", (b, v) -> b.historyReadThreads(integer(v)));
        KEYS.put("history_linger", (b, v) -> b.historyLinger(duration(v)));
        KEYS.put("chat_cache_size", (b, v) -> b.chatCacheSize(integer(v)));
        KEYS.put("max_messages_per_second", (b, v) -> b.maxMessagesPerSecond(integer(v)));
        KEYS.put("message_burst", (b, v) -> b.messageBurst(integer(v)));
        KEYS.put("max_connections_per_user", (b, v) -> b.maxConnectionsPerUser(integer(v)));
        KEYS.put("max_connections_per_address", (b, v) -> b.maxConnectionsPerAddress(integer(v)));
        KEYS.put("max_chats_per_user", (b, v) -> b.maxChatsPerUser(integer(v)));
        KEYS.put("feed_heartbeat_interval", (b, v) -> b.feedHeartbeatInterval(duration(v)));
        KEYS.put("redis_url", ParleyConfig.Builder::redisUrl);
        KEYS.put("bus_publish_backlog", (b, v) -> b.busPublishBacklog(integer(v)));
        KEYS.put("node_ttl", (b, v) -> b.nodeTtl(duration(v)));
        KEYS.put("log_format", (b, v) -> b.logFormat(LogFormat.parse(v)));
        KEYS.put("shutdown_grace", (b, v) -> b.shutdownGrace(duration(v)));
        KEYS.put("shutdown_close_window", (b, v) -> b.shutdownCloseWindow(duration(v)));
    }

    private ConfigLoader() {
    }

    /** Every supported key (for docs and tests). */
    public static List<String> keys() {
        return List.copyOf(KEYS.keySet());
    }

    /** Every environment variable the node reads: the file's name, the log level, and one per key. */
    public static List<String> environmentVariables() {
        List<String> names = new java.util.ArrayList<>(List.of(CONFIG_FILE_VARIABLE, LOG_LEVEL_VARIABLE));
        KEYS.keySet().forEach(key -> names.add(EnvironmentKeys.PREFIX + key.toUpperCase(Locale.ROOT)));
        return List.copyOf(names);
    }

    public static ParleyConfig load(Map<String, String> environment) {
        Map<String, String> values = new TreeMap<>();
        String file = environment.get(CONFIG_FILE_VARIABLE);
        if (file != null && !file.isBlank()) {
            values.putAll(readYaml(Path.of(file)));
        }
        values.putAll(EnvironmentKeys.of(environment, KEYS.keySet(), Set.of(CONFIG_FILE_VARIABLE, LOG_LEVEL_VARIABLE),
                log::warn));
        return fromValues(values);
    }

    /** Applies flat key/value pairs over the defaults. Blank values mean "not set". */
    public static ParleyConfig fromValues(Map<String, String> values) {
        ParleyConfig.Builder builder = ParleyConfig.builder();
        values.forEach((key, value) -> {
            BiConsumer<ParleyConfig.Builder, String> setter = KEYS.get(key);
            if (setter == null) {
                throw new IllegalArgumentException("unknown configuration key '" + key + "'; known keys: " + KEYS.keySet());
            }
            if (value == null || value.isBlank()) {
                return;
            }
            try {
                setter.accept(builder, value.trim());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("bad value for " + key + " ('" + value + "'): " + e.getMessage(), e);
            }
        });
        return builder.build();
    }

    private static Map<String, String> readYaml(Path path) {
        try {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(path));
            Map<String, String> values = new TreeMap<>();
            if (root == null || root.isNull() || root.isMissingNode()) {
                return values;
            }
            if (!root.isObject()) {
                throw new IllegalArgumentException("configuration file " + path + " must be a mapping of keys to values");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                JsonNode value = field.getValue();
                if (value.isNull()) {
                    continue;
                }
                values.put(field.getKey(), value.isArray() ? joinArray(value) : value.asText());
            }
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read configuration file " + path, e);
        }
    }

    private static String joinArray(JsonNode array) {
        StringBuilder joined = new StringBuilder();
        array.forEach(item -> joined.append(joined.length() == 0 ? "" : ",").append(item.asText()));
        return joined.toString();
    }

    private static int integer(String v) {
        return Integer.parseInt(v.replace("_", ""));
    }

    private static boolean bool(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        };
    }

    private static List<String> list(String v) {
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Accepts ISO-8601 ({@code PT5S}) or a number with a unit: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}. */
    static Duration duration(String v) {
        String s = v.toLowerCase(Locale.ROOT);
        if (s.startsWith("pt") || s.startsWith("p")) {
            return Duration.parse(v.toUpperCase(Locale.ROOT));
        }
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        long amount = Long.parseLong(s.substring(0, s.length() - 1));
        return switch (s.charAt(s.length() - 1)) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            default -> throw new IllegalArgumentException("expected a duration like 250ms, 5s, 2m, 1h or PT5S");
        };
    }
}
