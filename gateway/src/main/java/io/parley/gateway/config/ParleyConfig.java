package io.parley.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's effective configuration: immutable, built once at start-up, validated before
 * anything binds. Every key, its default and its environment variable are listed in
 * {@code config/parley.yaml}; {@link ConfigLoader} merges defaults, that file and the
 * environment.
 */
public final class ParleyConfig {
    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";
    public static final int DEFAULT_NODE_ID = 0;
    public static final Path DEFAULT_DATA_DIR = Path.of("data");
    public static final Duration DEFAULT_JWT_LEEWAY = Duration.ofSeconds(5);
    public static final Duration DEFAULT_DEV_TOKEN_TTL = Duration.ofHours(1);
    public static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_TEXT_LENGTH = 4_000;
    public static final int DEFAULT_MAX_OUTBOUND_BYTES = 1024 * 1024;
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_HISTORY_QUEUE_CAPACITY = 10_000;
    public static final int DEFAULT_HISTORY_BATCH_SIZE = 500;
    public static final Duration DEFAULT_HISTORY_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_CHAT_CACHE_SIZE = 100_000;
    /** Node ids fill 5 bits of a message id (see MessageIds). */
    public static final int MAX_NODE_ID = 31;

    private final int port;
    private final String bindAddress;
    private final int nodeId;
    private final Path dataDir;
    private final String storageUrl;
    private final String storageUser;
    private final String storagePassword;
    private final String jwtSecret;
    private final Path jwtPublicKeyFile;
    private final String jwtIssuer;
    private final String jwtAudience;
    private final Duration jwtLeeway;
    private final boolean devTokens;
    private final Duration devTokenTtl;
    private final List<String> allowedOrigins;
    private final int maxFrameBytes;
    private final int maxTextLength;
    private final int maxOutboundBytes;
    private final Duration handshakeTimeout;
    private final Duration idleTimeout;
    private final int historyQueueCapacity;
    private final int historyBatchSize;
    private final Duration historyTimeout;
    private final int chatCacheSize;
    private final String redisUrl;

    private ParleyConfig(Builder b) {
        port = b.port;
        bindAddress = b.bindAddress;
        nodeId = b.nodeId;
        dataDir = b.dataDir;
        storageUrl = b.storageUrl;
        storageUser = b.storageUser;
        storagePassword = b.storagePassword;
        jwtSecret = b.jwtSecret;
        jwtPublicKeyFile = b.jwtPublicKeyFile;
        jwtIssuer = b.jwtIssuer;
        jwtAudience = b.jwtAudience;
        jwtLeeway = b.jwtLeeway;
        // Without a configured key nobody else can mint tokens, so development tokens default on.
        devTokens = b.devTokens != null ? b.devTokens : (b.jwtSecret == null && b.jwtPublicKeyFile == null);
        devTokenTtl = b.devTokenTtl;
        allowedOrigins = List.copyOf(b.allowedOrigins);
        maxFrameBytes = b.maxFrameBytes;
        maxTextLength = b.maxTextLength;
        maxOutboundBytes = b.maxOutboundBytes;
        handshakeTimeout = b.handshakeTimeout;
        idleTimeout = b.idleTimeout;
        historyQueueCapacity = b.historyQueueCapacity;
        historyBatchSize = b.historyBatchSize;
        historyTimeout = b.historyTimeout;
        chatCacheSize = b.chatCacheSize;
        redisUrl = b.redisUrl;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static ParleyConfig defaults() {
        return builder().build();
    }

    public int port() { return port; }
    public String bindAddress() { return bindAddress; }
    public int nodeId() { return nodeId; }
    public Path dataDir() { return dataDir; }
    /** JDBC URL of PostgreSQL, or {@code null} for the embedded store in {@link #dataDir()}. */
    public String storageUrl() { return storageUrl; }
    public String storageUser() { return storageUser; }
    public String storagePassword() { return storagePassword; }
    /** HS256 secret, or {@code null}. */
    public String jwtSecret() { return jwtSecret; }
    /** PEM public key (RSA for RS256, EC P-256 for ES256), or {@code null}. */
    public Path jwtPublicKeyFile() { return jwtPublicKeyFile; }
    public String jwtIssuer() { return jwtIssuer; }
    public String jwtAudience() { return jwtAudience; }
    public Duration jwtLeeway() { return jwtLeeway; }
    public boolean devTokens() { return devTokens; }
    public Duration devTokenTtl() { return devTokenTtl; }
    /** Browser origins allowed to open sockets; {@code "*"} allows any. */
    public List<String> allowedOrigins() { return allowedOrigins; }
    public int maxFrameBytes() { return maxFrameBytes; }
    public int maxTextLength() { return maxTextLength; }
    public int maxOutboundBytes() { return maxOutboundBytes; }
    public Duration handshakeTimeout() { return handshakeTimeout; }
    public Duration idleTimeout() { return idleTimeout; }
    public int historyQueueCapacity() { return historyQueueCapacity; }
    public int historyBatchSize() { return historyBatchSize; }
    public Duration historyTimeout() { return historyTimeout; }
    public int chatCacheSize() { return chatCacheSize; }
    /** Redis for the cluster bus and presence ({@code redis://host:port}), or {@code null}: in-process bus. */
    public String redisUrl() { return redisUrl; }

    /** One line for the start-up log; secrets are never printed. */
    @Override
    public String toString() {
        return "port=" + port + " bind=" + bindAddress + " node_id=" + nodeId
                + " storage=" + (storageUrl == null ? "embedded:" + dataDir.toAbsolutePath() : storageUrl)
                + " jwt=" + (jwtPublicKeyFile != null ? "public-key:" + jwtPublicKeyFile
                        : jwtSecret != null ? "hs256-secret" : "generated-dev-secret")
                + " dev_tokens=" + devTokens + " allowed_origins=" + allowedOrigins
                + " max_frame_bytes=" + maxFrameBytes + " max_text_length=" + maxTextLength
                + " max_outbound_bytes=" + maxOutboundBytes
                + " handshake_timeout=" + handshakeTimeout + " idle_timeout=" + idleTimeout
                + " history_queue_capacity=" + historyQueueCapacity + " history_batch_size=" + historyBatchSize
                + " history_timeout=" + historyTimeout + " chat_cache_size=" + chatCacheSize
                + " redis=" + (redisUrl == null ? "none (in-process bus)" : redactedRedisUrl(redisUrl));
    }

    /** The URL without its password ({@code redis://user:secret@host} -> {@code redis://user:***@host}). */
    static String redactedRedisUrl(String url) {
        return url.replaceFirst("^(rediss?://[^:@/]*:)[^@/]*@", "$1***@");
    }

    /** Mutable only until {@link #build()}, which fails fast on any bad value. */
    public static final class Builder {
        private int port = DEFAULT_PORT;
        private String bindAddress = DEFAULT_BIND_ADDRESS;
        private int nodeId = DEFAULT_NODE_ID;
        private Path dataDir = DEFAULT_DATA_DIR;
        private String storageUrl;
        private String storageUser;
        private String storagePassword;
        private String jwtSecret;
        private Path jwtPublicKeyFile;
        private String jwtIssuer;
        private String jwtAudience;
        private Duration jwtLeeway = DEFAULT_JWT_LEEWAY;
        private Boolean devTokens;
        private Duration devTokenTtl = DEFAULT_DEV_TOKEN_TTL;
        private List<String> allowedOrigins = List.of("*");
        private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
        private int maxTextLength = DEFAULT_MAX_TEXT_LENGTH;
        private int maxOutboundBytes = DEFAULT_MAX_OUTBOUND_BYTES;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private int historyQueueCapacity = DEFAULT_HISTORY_QUEUE_CAPACITY;
        private int historyBatchSize = DEFAULT_HISTORY_BATCH_SIZE;
        private Duration historyTimeout = DEFAULT_HISTORY_TIMEOUT;
        private int chatCacheSize = DEFAULT_CHAT_CACHE_SIZE;
        private String redisUrl;

        private Builder() {
        }

        public Builder port(int v) { port = v; return this; }
        public Builder bindAddress(String v) { bindAddress = v; return this; }
        public Builder nodeId(int v) { nodeId = v; return this; }
        public Builder dataDir(Path v) { dataDir = v; return this; }
        public Builder storageUrl(String v) { storageUrl = v; return this; }
        public Builder storageUser(String v) { storageUser = v; return this; }
        public Builder storagePassword(String v) { storagePassword = v; return this; }
        public Builder jwtSecret(String v) { jwtSecret = v; return this; }
        public Builder jwtPublicKeyFile(Path v) { jwtPublicKeyFile = v; return this; }
        public Builder jwtIssuer(String v) { jwtIssuer = v; return this; }
        public Builder jwtAudience(String v) { jwtAudience = v; return this; }
        public Builder jwtLeeway(Duration v) { jwtLeeway = v; return this; }
        public Builder devTokens(Boolean v) { devTokens = v; return this; }
        public Builder devTokenTtl(Duration v) { devTokenTtl = v; return this; }
        public Builder allowedOrigins(List<String> v) { allowedOrigins = v; return this; }
        public Builder maxFrameBytes(int v) { maxFrameBytes = v; return this; }
        public Builder maxTextLength(int v) { maxTextLength = v; return this; }
        public Builder maxOutboundBytes(int v) { maxOutboundBytes = v; return this; }
        public Builder handshakeTimeout(Duration v) { handshakeTimeout = v; return this; }
        public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
        public Builder historyQueueCapacity(int v) { historyQueueCapacity = v; return this; }
        public Builder historyBatchSize(int v) { historyBatchSize = v; return this; }
        public Builder historyTimeout(Duration v) { historyTimeout = v; return this; }
        public Builder chatCacheSize(int v) { chatCacheSize = v; return this; }
        public Builder redisUrl(String v) { redisUrl = v; return this; }

        public ParleyConfig build() {
            List<String> problems = new ArrayList<>();
            check(problems, port >= 0 && port <= 65535, "port must be 0..65535, got " + port);
            check(problems, nodeId >= 0 && nodeId <= MAX_NODE_ID, "node_id must be 0.." + MAX_NODE_ID + ", got " + nodeId);
            check(problems, bindAddress != null && !bindAddress.isBlank(), "bind_address must not be empty");
            check(problems, dataDir != null, "data_dir must be set");
            check(problems, jwtSecret == null || jwtSecret.length() >= 32,
                    "jwt_secret must be at least 32 characters (256 bits for HS256), got " + (jwtSecret == null ? 0 : jwtSecret.length()));
            check(problems, jwtSecret == null || jwtPublicKeyFile == null,
                    "set either jwt_secret (HS256) or jwt_public_key_file (RS256/ES256), not both");
            check(problems, !(Boolean.TRUE.equals(devTokens) && jwtPublicKeyFile != null),
                    "dev_tokens needs an HS256 secret to sign with; it cannot be used with jwt_public_key_file");
            check(problems, positive(jwtLeeway) || Duration.ZERO.equals(jwtLeeway), "jwt_leeway must be >= 0");
            check(problems, positive(devTokenTtl) && devTokenTtl.compareTo(Duration.ofDays(1)) <= 0,
                    "dev_token_ttl must be in (0, 24h], got " + devTokenTtl);
            check(problems, allowedOrigins != null && !allowedOrigins.isEmpty(),
                    "allowed_origins must list at least one origin or '*'");
            check(problems, maxFrameBytes >= 1024 && maxFrameBytes <= 16 * 1024 * 1024,
                    "max_frame_bytes must be 1024..16777216, got " + maxFrameBytes);
            check(problems, maxTextLength >= 1 && maxTextLength <= maxFrameBytes,
                    "max_text_length must be 1..max_frame_bytes (" + maxFrameBytes + "), got " + maxTextLength);
            check(problems, maxOutboundBytes >= 16 * 1024, "max_outbound_bytes must be >= 16384, got " + maxOutboundBytes);
            check(problems, positive(handshakeTimeout), "handshake_timeout must be > 0");
            check(problems, positive(idleTimeout), "idle_timeout must be > 0");
            check(problems, historyQueueCapacity >= 1, "history_queue_capacity must be >= 1, got " + historyQueueCapacity);
            check(problems, historyBatchSize >= 1 && historyBatchSize <= historyQueueCapacity,
                    "history_batch_size must be 1..history_queue_capacity, got " + historyBatchSize);
            check(problems, positive(historyTimeout), "history_timeout must be > 0");
            check(problems, redisUrl == null || redisUrl.startsWith("redis://") || redisUrl.startsWith("rediss://"),
                    "redis_url must start with redis:// or rediss://, got '" + (redisUrl == null ? "" : redactedRedisUrl(redisUrl)) + "'");
            check(problems, chatCacheSize >= 16, "chat_cache_size must be >= 16, got " + chatCacheSize);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid configuration: " + String.join("; ", problems));
            }
            return new ParleyConfig(this);
        }

        private static boolean positive(Duration d) {
            return d != null && !d.isNegative() && !d.isZero();
        }

        private static void check(List<String> problems, boolean ok, String problem) {
            if (!ok) {
                problems.add(problem);
            }
        }
    }
}
