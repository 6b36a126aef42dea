package io.parley.gateway.config;

import io.parley.gateway.bus.ClusterOptions;
import io.parley.storage.HistoryOptions;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import static io.parley.gateway.config.Settings.BUS_PUBLISH_BACKLOG;
import static io.parley.gateway.config.Settings.DEV_TOKENS;
import static io.parley.gateway.config.Settings.HISTORY_BATCH_SIZE;
import static io.parley.gateway.config.Settings.HISTORY_LINGER;
import static io.parley.gateway.config.Settings.HISTORY_QUEUE_CAPACITY;
import static io.parley.gateway.config.Settings.HISTORY_READ_THREADS;
import static io.parley.gateway.config.Settings.HISTORY_TIMEOUT;
import static io.parley.gateway.config.Settings.HISTORY_WRITER_THREADS;
import static io.parley.gateway.config.Settings.IO_THREADS;
import static io.parley.gateway.config.Settings.JWT_JWKS_URL;
import static io.parley.gateway.config.Settings.JWT_PUBLIC_KEY_FILE;
import static io.parley.gateway.config.Settings.JWT_SECRET;
import static io.parley.gateway.config.Settings.MAX_FRAME_BYTES;
import static io.parley.gateway.config.Settings.MAX_TEXT_LENGTH;
import static io.parley.gateway.config.Settings.NODE_ID;
import static io.parley.gateway.config.Settings.NODE_TTL;
import static io.parley.gateway.config.Settings.REDIS_URL;
import static io.parley.gateway.config.Settings.TLS_CERT_FILE;
import static io.parley.gateway.config.Settings.TLS_KEY_FILE;
import static io.parley.gateway.config.Settings.WEBHOOK_SECRET;
import static io.parley.gateway.config.Settings.WEBHOOK_URL;

/**
 * The node's effective configuration: immutable, built once at start-up, validated before
 * anything binds. A value is read by its {@link Setting} ({@code config.get(Settings.PORT)});
 * the history store and the cluster get option objects of their own. {@link ConfigLoader} fills
 * it from the file and the environment.
 */
public final class ParleyConfig {
    private final Map<Setting<?>, Object> values;
    private final HistoryOptions history;
    private final ClusterOptions cluster;

    private ParleyConfig(Map<Setting<?>, Object> values) {
        this.values = Collections.unmodifiableMap(values);
        history = HistoryOptions.builder()
                .writeQueueCapacity(get(HISTORY_QUEUE_CAPACITY))
                .maxBatchSize(get(HISTORY_BATCH_SIZE))
                .operationTimeout(get(HISTORY_TIMEOUT))
                .writerThreads(get(HISTORY_WRITER_THREADS))
                .readThreads(get(HISTORY_READ_THREADS))
                .lingerMicros(get(HISTORY_LINGER).toNanos() / 1_000)
                .build();
        cluster = get(REDIS_URL) == null ? null : ClusterOptions.builder(get(REDIS_URL), get(NODE_ID))
                .publishBacklog(get(BUS_PUBLISH_BACKLOG)).nodeTtl(get(NODE_TTL)).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static ParleyConfig defaults() {
        return builder().build();
    }

    /**
     * The effective value of {@code setting}: what was configured, else its default; {@code null}
     * for an unset key without one. {@code io_threads} and {@code dev_tokens} come resolved (one
     * event loop per core for 0; development tokens on when no key is set).
     */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        return (T) values.get(setting);
    }

    /** Whether this port serves TLS ({@code tls_cert_file} and {@code tls_key_file} set). */
    public boolean tls() {
        return get(TLS_CERT_FILE) != null;
    }

    /** The history store's options, from the {@code history_*} keys. */
    public HistoryOptions history() {
        return history;
    }

    /** The cluster's options, from {@code redis_url}, {@code node_id}, {@code bus_*} and {@code node_ttl}; {@code null} without Redis. */
    public ClusterOptions cluster() {
        return cluster;
    }

    /**
     * Every key and its value as the start-up log prints it, in the order of {@link Settings#ALL}:
     * secrets as {@code ***}, passwords cut out of URLs, unset as {@code -}.
     */
    public Map<String, String> shown() {
        Map<String, String> shown = new LinkedHashMap<>();
        Settings.ALL.forEach(setting -> shown.put(setting.key(), shown(setting)));
        return Collections.unmodifiableMap(shown);
    }

    /** One line for the start-up log: every key as {@code key=value}; secrets are never printed. */
    @Override
    public String toString() {
        StringJoiner line = new StringJoiner(" ");
        shown().forEach((key, value) -> line.add(key + "=" + value));
        return line.toString();
    }

    private <T> String shown(Setting<T> setting) {
        return setting.shown(get(setting));
    }

    /** Mutable only until {@link #build()}, which fails fast naming every bad value. */
    public static final class Builder {
        private final Map<Setting<?>, Object> values = new HashMap<>();

        private Builder() {
            Settings.ALL.forEach(setting -> values.put(setting, setting.defaultValue()));
        }

        /** Sets a key; {@code null} unsets it. */
        public <T> Builder set(Setting<T> setting, T value) {
            values.put(setting, value);
            return this;
        }

        /** Sets a key from its text in the file or the environment. */
        <T> Builder parse(Setting<T> setting, String text) {
            return set(setting, setting.parse(text));
        }

        @SuppressWarnings("unchecked")
        private <T> T get(Setting<T> setting) {
            return (T) values.get(setting);
        }

        public ParleyConfig build() {
            List<String> problems = new ArrayList<>();
            for (Setting<?> setting : Settings.ALL) {
                check(problems, setting);
            }
            int keySources = (get(JWT_SECRET) == null ? 0 : 1) + (get(JWT_PUBLIC_KEY_FILE) == null ? 0 : 1)
                    + (get(JWT_JWKS_URL) == null ? 0 : 1);
            require(problems, keySources <= 1,
                    "set one of jwt_secret (HS256), jwt_public_key_file or jwt_jwks_url (RS256/ES256), not several");
            require(problems, !(Boolean.TRUE.equals(get(DEV_TOKENS))
                            && (get(JWT_PUBLIC_KEY_FILE) != null || get(JWT_JWKS_URL) != null)),
                    "dev_tokens needs an HS256 secret to sign with; it cannot be used with jwt_public_key_file"
                            + " or jwt_jwks_url");
            require(problems, (get(TLS_CERT_FILE) == null) == (get(TLS_KEY_FILE) == null),
                    "set both tls_cert_file and tls_key_file, or neither");
            // Unsigned events could be forged by anyone who can reach the receiver.
            require(problems, get(WEBHOOK_URL) == null || get(WEBHOOK_SECRET) != null,
                    "webhook_url needs webhook_secret: every event is signed with it");
            if (problems.isEmpty()) { // the keys compared below are valid on their own
                require(problems, get(MAX_TEXT_LENGTH) <= get(MAX_FRAME_BYTES),
                        "max_text_length must be at most max_frame_bytes (" + get(MAX_FRAME_BYTES) + "), got "
                                + get(MAX_TEXT_LENGTH));
                require(problems, get(HISTORY_BATCH_SIZE) <= get(HISTORY_QUEUE_CAPACITY),
                        "history_batch_size must be at most history_queue_capacity (" + get(HISTORY_QUEUE_CAPACITY)
                                + "), got " + get(HISTORY_BATCH_SIZE));
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid configuration: " + String.join("; ", problems));
            }
            Map<Setting<?>, Object> effective = new HashMap<>(values);
            if (get(IO_THREADS) == 0) {
                effective.put(IO_THREADS, Runtime.getRuntime().availableProcessors());
            }
            if (get(DEV_TOKENS) == null) {
                effective.put(DEV_TOKENS, keySources == 0);
            }
            return new ParleyConfig(effective);
        }

        private <T> void check(List<String> problems, Setting<T> setting) {
            T value = get(setting);
            if (value == null && setting.defaultValue() != null) {
                problems.add(setting.key() + " must be set");
                return;
            }
            String problem = setting.problem(value);
            if (problem != null) {
                problems.add(problem);
            }
        }

        private static void require(List<String> problems, boolean ok, String problem) {
            if (!ok) {
                problems.add(problem);
            }
        }
    }
}
