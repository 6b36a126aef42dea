package io.parley.gateway.config;

import io.parley.gateway.bus.ClusterOptions;
import io.parley.storage.HistoryOptions;
import io.parley.gateway.logging.LogFormat;

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
    /**
     * 0: one event loop per CPU core. Netty's own default is two per core; nothing blocks on
     * Parley's loops, and on small machines every extra loop is extra wake-ups (measured: node A's
     * CPU per message at 10k msg/s fell 13 % going from 4 to 2 loops on 2 cores, BENCHMARKS.md).
     */
    public static final int DEFAULT_IO_THREADS = 0;
    public static final int DEFAULT_MAX_OUTBOUND_BYTES = 1024 * 1024;
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    // The history store's own defaults and bounds (HistoryOptions) are the ones of its keys.
    public static final int DEFAULT_HISTORY_QUEUE_CAPACITY = HistoryOptions.DEFAULT_WRITE_QUEUE_CAPACITY;
    public static final int DEFAULT_HISTORY_BATCH_SIZE = HistoryOptions.DEFAULT_MAX_BATCH_SIZE;
    public static final Duration DEFAULT_HISTORY_TIMEOUT = HistoryOptions.DEFAULT_OPERATION_TIMEOUT;
    public static final int DEFAULT_HISTORY_WRITER_THREADS = HistoryOptions.DEFAULT_WRITER_THREADS;
    public static final int DEFAULT_HISTORY_READ_THREADS = HistoryOptions.DEFAULT_READ_THREADS;
    public static final Duration DEFAULT_HISTORY_LINGER = Duration.ofNanos(HistoryOptions.DEFAULT_LINGER_MICROS * 1_000);
    public static final int DEFAULT_CHAT_CACHE_SIZE = 100_000;
    /** Seed 001: "heartbeats every 5 s". */
    public static final Duration DEFAULT_FEED_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);
    public static final boolean DEFAULT_PERMESSAGE_DEFLATE = false;
    public static final int DEFAULT_MAX_MESSAGES_PER_SECOND = 100;
    public static final int DEFAULT_MESSAGE_BURST = 200;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_USER = 16;
    /** Above the 19k-socket benchmark from one address; behind a load balancer every client shares its address. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 20_000;
    public static final int DEFAULT_MAX_CHATS_PER_USER = 1_000;
    public static final LogFormat DEFAULT_LOG_FORMAT = LogFormat.TEXT;
    /** Development: a stopped node closes its sockets at once. */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ZERO;
    public static final Duration DEFAULT_SHUTDOWN_CLOSE_WINDOW = Duration.ZERO;
    /** Node ids fill 5 bits of a message id (see MessageIds). */
    public static final int MAX_NODE_ID = 31;

    private final int port;
    private final String bindAddress;
    private final int nodeId;
    private final int ioThreads;
    private final Path dataDir;
    private final String storageUrl;
    private final String storageUser;
    private final String storagePassword;
    private final String jwtSecret;
    private final Path jwtPublicKeyFile;
    private final String jwtJwksUrl;
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
    private final int historyWriterThreads;
    private final int historyReadThreads;
    private final Duration historyLinger;
    private final int chatCacheSize;
    private final Duration feedHeartbeatInterval;
    private final Path tlsCertFile;
    private final Path tlsKeyFile;
    private final boolean permessageDeflate;
    private final int maxMessagesPerSecond;
    private final int messageBurst;
    private final int maxConnectionsPerUser;
    private final int maxConnectionsPerAddress;
    private final int maxChatsPerUser;
    private final String redisUrl;
    private final int busPublishBacklog;
    private final Duration nodeTtl;
    private final LogFormat logFormat;
    private final Duration shutdownGrace;
    private final Duration shutdownCloseWindow;
    private final HistoryOptions history;
    private final ClusterOptions cluster;

    private ParleyConfig(Builder b) {
        port = b.port;
        bindAddress = b.bindAddress;
        nodeId = b.nodeId;
        ioThreads = b.ioThreads == 0 ? Runtime.getRuntime().availableProcessors() : b.ioThreads;
        dataDir = b.dataDir;
        storageUrl = b.storageUrl;
        storageUser = b.storageUser;
        storagePassword = b.storagePassword;
        jwtSecret = b.jwtSecret;
        jwtPublicKeyFile = b.jwtPublicKeyFile;
        jwtJwksUrl = b.jwtJwksUrl;
        jwtIssuer = b.jwtIssuer;
        jwtAudience = b.jwtAudience;
        jwtLeeway = b.jwtLeeway;
        // Without a configured key nobody else can mint tokens, so development tokens default on.
        devTokens = b.devTokens != null ? b.devTokens : (b.jwtSecret == null && b.jwtPublicKeyFile == null
                && b.jwtJwksUrl == null);
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
        historyWriterThreads = b.historyWriterThreads;
        historyReadThreads = b.historyReadThreads;
        historyLinger = b.historyLinger;
        chatCacheSize = b.chatCacheSize;
        feedHeartbeatInterval = b.feedHeartbeatInterval;
        tlsCertFile = b.tlsCertFile;
        tlsKeyFile = b.tlsKeyFile;
        permessageDeflate = b.permessageDeflate;
        maxMessagesPerSecond = b.maxMessagesPerSecond;
        messageBurst = b.messageBurst;
        maxConnectionsPerUser = b.maxConnectionsPerUser;
        maxConnectionsPerAddress = b.maxConnectionsPerAddress;
        maxChatsPerUser = b.maxChatsPerUser;
        redisUrl = b.redisUrl;
        busPublishBacklog = b.busPublishBacklog;
        nodeTtl = b.nodeTtl;
        logFormat = b.logFormat;
        shutdownGrace = b.shutdownGrace;
        shutdownCloseWindow = b.shutdownCloseWindow;
        history = HistoryOptions.builder()
                .writeQueueCapacity(historyQueueCapacity)
                .maxBatchSize(historyBatchSize)
                .operationTimeout(historyTimeout)
                .writerThreads(historyWriterThreads)
                .readThreads(historyReadThreads)
                .lingerMicros(historyLinger.toNanos() / 1_000)
                .build();
        cluster = redisUrl == null ? null : ClusterOptions.builder(redisUrl, nodeId)
                .publishBacklog(busPublishBacklog).nodeTtl(nodeTtl).build();
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
    /** Event-loop threads serving the sockets (the configured number, or one per core for 0). */
    public int ioThreads() { return ioThreads; }
    public Path dataDir() { return dataDir; }
    /** JDBC URL of PostgreSQL, or {@code null} for the embedded store in {@link #dataDir()}. */
    public String storageUrl() { return storageUrl; }
    public String storageUser() { return storageUser; }
    public String storagePassword() { return storagePassword; }
    /** HS256 secret, or {@code null}. */
    public String jwtSecret() { return jwtSecret; }
    /** PEM public key (RSA for RS256, EC P-256 for ES256), or {@code null}. */
    public Path jwtPublicKeyFile() { return jwtPublicKeyFile; }
    /** JWKS document (RS256/ES256 keys chosen by the token's {@code kid}), or {@code null}. */
    public String jwtJwksUrl() { return jwtJwksUrl; }
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
    public int historyWriterThreads() { return historyWriterThreads; }
    public int historyReadThreads() { return historyReadThreads; }
    public Duration historyLinger() { return historyLinger; }
    public int chatCacheSize() { return chatCacheSize; }
    /** Dialect feed: interval of heartbeat frames on sockets opened with {@code ?heartbeat=true}. */
    public Duration feedHeartbeatInterval() { return feedHeartbeatInterval; }
    /** PEM certificate chain for wss on this port, or {@code null} for plain ws (TLS ends at a load balancer). */
    public Path tlsCertFile() { return tlsCertFile; }
    /** PEM private key (PKCS#8) of {@link #tlsCertFile()}, or {@code null}. */
    public Path tlsKeyFile() { return tlsKeyFile; }
    public boolean tls() { return tlsCertFile != null; }
    /** Whether permessage-deflate (RFC 7692) is offered to clients that ask for it. */
    public boolean permessageDeflate() { return permessageDeflate; }
    /** Sustained requests per second per socket (token bucket refill). */
    public int maxMessagesPerSecond() { return maxMessagesPerSecond; }
    /** Token bucket size: requests a socket may send at once before the rate applies. */
    public int messageBurst() { return messageBurst; }
    public int maxConnectionsPerUser() { return maxConnectionsPerUser; }
    public int maxConnectionsPerAddress() { return maxConnectionsPerAddress; }
    public int maxChatsPerUser() { return maxChatsPerUser; }
    /** Redis for the cluster bus and presence ({@code redis://host:port}), or {@code null}: in-process bus. */
    public String redisUrl() { return redisUrl; }
    public int busPublishBacklog() { return busPublishBacklog; }
    public Duration nodeTtl() { return nodeTtl; }
    /** The history store's options, from the {@code history_*} keys. */
    public HistoryOptions history() { return history; }
    /** The cluster's options, from {@code redis_url}, {@code node_id}, {@code bus_*} and {@code node_ttl}; {@code null} without Redis. */
    public ClusterOptions cluster() { return cluster; }
    /** How lines are written to standard output: text, or one JSON object per line. */
    public LogFormat logFormat() { return logFormat; }
    /** After SIGTERM: how long the node keeps serving while /ready answers 503, so load balancers take it out. */
    public Duration shutdownGrace() { return shutdownGrace; }
    /** After the grace: the time over which sockets are closed with 1001, so clients do not reconnect all at once. */
    public Duration shutdownCloseWindow() { return shutdownCloseWindow; }

    /** One line for the start-up log; secrets are never printed. */
    @Override
    public String toString() {
        return "port=" + port + " bind=" + bindAddress + " node_id=" + nodeId + " io_threads=" + ioThreads
                + " storage=" + (storageUrl == null ? "embedded:" + dataDir.toAbsolutePath() : storageUrl)
                + " jwt=" + (jwtPublicKeyFile != null ? "public-key:" + jwtPublicKeyFile
                        : jwtJwksUrl != null ? "jwks:" + jwtJwksUrl
                        : jwtSecret != null ? "hs256-secret" : "generated-dev-secret")
                + " dev_tokens=" + devTokens + " allowed_origins=" + allowedOrigins
                + " max_frame_bytes=" + maxFrameBytes + " max_text_length=" + maxTextLength
                + " max_outbound_bytes=" + maxOutboundBytes
                + " handshake_timeout=" + handshakeTimeout + " idle_timeout=" + idleTimeout
                + " history_queue_capacity=" + historyQueueCapacity + " history_batch_size=" + historyBatchSize
                + " history_timeout=" + historyTimeout + " history_writer_threads=" + historyWriterThreads
                + " history_read_threads=" + historyReadThreads + " history_linger=" + historyLinger
                + " chat_cache_size=" + chatCacheSize + " feed_heartbeat_interval=" + feedHeartbeatInterval
                + " tls=" + (tlsCertFile == null ? "off" : tlsCertFile) + " permessage_deflate=" + permessageDeflate
                + " max_messages_per_second=" + maxMessagesPerSecond + " message_burst=" + messageBurst
                + " max_connections_per_user=" + maxConnectionsPerUser
                + " max_connections_per_address=" + maxConnectionsPerAddress + " max_chats_per_user=" + maxChatsPerUser
                + " redis=" + (redisUrl == null ? "none (in-process bus)" : redactedRedisUrl(redisUrl))
                + " bus_publish_backlog=" + busPublishBacklog + " node_ttl=" + nodeTtl
                + " log_format=" + logFormat.name().toLowerCase(java.util.Locale.ROOT)
                + " shutdown_grace=" + shutdownGrace + " shutdown_close_window=" + shutdownCloseWindow;
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
        private int ioThreads = DEFAULT_IO_THREADS;
        private Path dataDir = DEFAULT_DATA_DIR;
        private String storageUrl;
        private String storageUser;
        private String storagePassword;
        private String jwtSecret;
        private Path jwtPublicKeyFile;
        private String jwtJwksUrl;
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
        private int historyWriterThreads = DEFAULT_HISTORY_WRITER_THREADS;
        private int historyReadThreads = DEFAULT_HISTORY_READ_THREADS;
        private Duration historyLinger = DEFAULT_HISTORY_LINGER;
        private int chatCacheSize = DEFAULT_CHAT_CACHE_SIZE;
        private Duration feedHeartbeatInterval = DEFAULT_FEED_HEARTBEAT_INTERVAL;
        private Path tlsCertFile;
        private Path tlsKeyFile;
        private boolean permessageDeflate = DEFAULT_PERMESSAGE_DEFLATE;
        private int maxMessagesPerSecond = DEFAULT_MAX_MESSAGES_PER_SECOND;
        private int messageBurst = DEFAULT_MESSAGE_BURST;
        private int maxConnectionsPerUser = DEFAULT_MAX_CONNECTIONS_PER_USER;
        private int maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
        private int maxChatsPerUser = DEFAULT_MAX_CHATS_PER_USER;
        private String redisUrl;
        private int busPublishBacklog = ClusterOptions.DEFAULT_PUBLISH_BACKLOG;
        private Duration nodeTtl = ClusterOptions.DEFAULT_NODE_TTL;
        private LogFormat logFormat = DEFAULT_LOG_FORMAT;
        private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
        private Duration shutdownCloseWindow = DEFAULT_SHUTDOWN_CLOSE_WINDOW;

        private Builder() {
        }

        public Builder port(int v) { port = v; return this; }
        public Builder bindAddress(String v) { bindAddress = v; return this; }
        public Builder nodeId(int v) { nodeId = v; return this; }
        public Builder ioThreads(int v) { ioThreads = v; return this; }
        public Builder dataDir(Path v) { dataDir = v; return this; }
        public Builder storageUrl(String v) { storageUrl = v; return this; }
        public Builder storageUser(String v) { storageUser = v; return this; }
        public Builder storagePassword(String v) { storagePassword = v; return this; }
        public Builder jwtSecret(String v) { jwtSecret = v; return this; }
        public Builder jwtPublicKeyFile(Path v) { jwtPublicKeyFile = v; return this; }
        public Builder jwtJwksUrl(String v) { jwtJwksUrl = v; return this; }
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
        public Builder historyWriterThreads(int v) { historyWriterThreads = v; return this; }
        public Builder historyReadThreads(int v) { historyReadThreads = v; return this; }
        public Builder historyLinger(Duration v) { historyLinger = v; return this; }
        public Builder chatCacheSize(int v) { chatCacheSize = v; return this; }
        public Builder feedHeartbeatInterval(Duration v) { feedHeartbeatInterval = v; return this; }
        public Builder tlsCertFile(Path v) { tlsCertFile = v; return this; }
        public Builder tlsKeyFile(Path v) { tlsKeyFile = v; return this; }
        public Builder permessageDeflate(boolean v) { permessageDeflate = v; return this; }
        public Builder maxMessagesPerSecond(int v) { maxMessagesPerSecond = v; return this; }
        public Builder messageBurst(int v) { messageBurst = v; return this; }
        public Builder maxConnectionsPerUser(int v) { maxConnectionsPerUser = v; return this; }
        public Builder maxConnectionsPerAddress(int v) { maxConnectionsPerAddress = v; return this; }
        public Builder maxChatsPerUser(int v) { maxChatsPerUser = v; return this; }
        public Builder redisUrl(String v) { redisUrl = v; return this; }
        public Builder busPublishBacklog(int v) { busPublishBacklog = v; return this; }
        public Builder nodeTtl(Duration v) { nodeTtl = v; return this; }
        public Builder logFormat(LogFormat v) { logFormat = v; return this; }
        public Builder shutdownGrace(Duration v) { shutdownGrace = v; return this; }
        public Builder shutdownCloseWindow(Duration v) { shutdownCloseWindow = v; return this; }

        public ParleyConfig build() {
            List<String> problems = new ArrayList<>();
            check(problems, port >= 0 && port <= 65535, "port must be 0..65535, got " + port);
            check(problems, nodeId >= 0 && nodeId <= MAX_NODE_ID, "node_id must be 0.." + MAX_NODE_ID + ", got " + nodeId);
            check(problems, ioThreads >= 0 && ioThreads <= 256,
                    "io_threads must be 0 (one per CPU core)..256, got " + ioThreads);
            check(problems, bindAddress != null && !bindAddress.isBlank(), "bind_address must not be empty");
            check(problems, dataDir != null, "data_dir must be set");
            check(problems, jwtSecret == null || jwtSecret.length() >= 32,
                    "jwt_secret must be at least 32 characters (256 bits for HS256), got " + (jwtSecret == null ? 0 : jwtSecret.length()));
            check(problems, (jwtSecret == null ? 0 : 1) + (jwtPublicKeyFile == null ? 0 : 1)
                            + (jwtJwksUrl == null ? 0 : 1) <= 1,
                    "set one of jwt_secret (HS256), jwt_public_key_file or jwt_jwks_url (RS256/ES256), not several");
            check(problems, !(Boolean.TRUE.equals(devTokens) && (jwtPublicKeyFile != null || jwtJwksUrl != null)),
                    "dev_tokens needs an HS256 secret to sign with; it cannot be used with jwt_public_key_file"
                            + " or jwt_jwks_url");
            check(problems, jwtJwksUrl == null || httpUrl(jwtJwksUrl),
                    "jwt_jwks_url must be an https:// or http:// URL, got '" + jwtJwksUrl + "'");
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
            check(problems, historyQueueCapacity >= 1 && historyQueueCapacity <= HistoryOptions.MAX_QUEUE_CAPACITY,
                    "history_queue_capacity must be 1.." + HistoryOptions.MAX_QUEUE_CAPACITY + ", got " + historyQueueCapacity);
            check(problems, historyBatchSize >= 1 && historyBatchSize <= historyQueueCapacity
                            && historyBatchSize <= HistoryOptions.MAX_BATCH_SIZE,
                    "history_batch_size must be 1..history_queue_capacity and at most " + HistoryOptions.MAX_BATCH_SIZE
                            + ", got " + historyBatchSize);
            check(problems, positive(historyTimeout) && historyTimeout.compareTo(HistoryOptions.MAX_OPERATION_TIMEOUT) <= 0,
                    "history_timeout must be in (0, " + HistoryOptions.MAX_OPERATION_TIMEOUT + "], got " + historyTimeout);
            check(problems, feedHeartbeatInterval != null && feedHeartbeatInterval.toMillis() >= 10,
                    "feed_heartbeat_interval must be >= 10ms, got " + feedHeartbeatInterval);
            check(problems, historyWriterThreads >= 1 && historyWriterThreads <= HistoryOptions.MAX_WRITER_THREADS,
                    "history_writer_threads must be 1.." + HistoryOptions.MAX_WRITER_THREADS + ", got " + historyWriterThreads);
            check(problems, historyReadThreads >= 1 && historyReadThreads <= HistoryOptions.MAX_READ_THREADS,
                    "history_read_threads must be 1.." + HistoryOptions.MAX_READ_THREADS + ", got " + historyReadThreads);
            check(problems, historyLinger != null && !historyLinger.isNegative()
                            && historyLinger.toNanos() / 1_000 <= HistoryOptions.MAX_LINGER_MICROS,
                    "history_linger must be 0.." + HistoryOptions.MAX_LINGER_MICROS / 1_000 + "ms, got " + historyLinger);
            check(problems, nodeTtl != null && nodeTtl.toMillis() >= 1_000, "node_ttl must be >= 1s, got " + nodeTtl);
            check(problems, logFormat != null, "log_format must be text or json");
            check(problems, shutdownGrace != null && !shutdownGrace.isNegative()
                            && shutdownGrace.compareTo(Duration.ofMinutes(10)) <= 0,
                    "shutdown_grace must be 0..10m, got " + shutdownGrace);
            check(problems, shutdownCloseWindow != null && !shutdownCloseWindow.isNegative()
                            && shutdownCloseWindow.compareTo(Duration.ofMinutes(10)) <= 0,
                    "shutdown_close_window must be 0..10m, got " + shutdownCloseWindow);
            check(problems, busPublishBacklog >= 1, "bus_publish_backlog must be >= 1, got " + busPublishBacklog);
            check(problems, redisUrl == null || redisUrl.startsWith("redis://") || redisUrl.startsWith("rediss://"),
                    "redis_url must start with redis:// or rediss://, got '" + (redisUrl == null ? "" : redactedRedisUrl(redisUrl)) + "'");
            check(problems, chatCacheSize >= 16, "chat_cache_size must be >= 16, got " + chatCacheSize);
            check(problems, (tlsCertFile == null) == (tlsKeyFile == null),
                    "set both tls_cert_file and tls_key_file, or neither");
            check(problems, tlsCertFile == null || java.nio.file.Files.isReadable(tlsCertFile),
                    "tls_cert_file is not a readable file: " + tlsCertFile);
            check(problems, tlsKeyFile == null || java.nio.file.Files.isReadable(tlsKeyFile),
                    "tls_key_file is not a readable file: " + tlsKeyFile);
            check(problems, maxMessagesPerSecond >= 1 && maxMessagesPerSecond <= 100_000,
                    "max_messages_per_second must be 1..100000, got " + maxMessagesPerSecond);
            check(problems, messageBurst >= 1 && messageBurst <= 100_000,
                    "message_burst must be 1..100000, got " + messageBurst);
            check(problems, maxConnectionsPerUser >= 1, "max_connections_per_user must be >= 1, got " + maxConnectionsPerUser);
            check(problems, maxConnectionsPerAddress >= 1,
                    "max_connections_per_address must be >= 1, got " + maxConnectionsPerAddress);
            check(problems, maxChatsPerUser >= 1, "max_chats_per_user must be >= 1, got " + maxChatsPerUser);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid configuration: " + String.join("; ", problems));
            }
            return new ParleyConfig(this);
        }

        private static boolean httpUrl(String url) {
            try {
                java.net.URI uri = new java.net.URI(url);
                return ("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))
                        && uri.getHost() != null;
            } catch (java.net.URISyntaxException e) {
                return false;
            }
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
