package io.parley.gateway.config;

import io.parley.gateway.bus.ClusterOptions;
import io.parley.gateway.bus.RedisLink;
import io.parley.gateway.logging.LogFormat;
import io.parley.storage.HistoryOptions;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.parley.gateway.config.Setting.Section.ATTACHMENTS;
import static io.parley.gateway.config.Setting.Section.AUTHENTICATION;
import static io.parley.gateway.config.Setting.Section.CLUSTER;
import static io.parley.gateway.config.Setting.Section.DIALECTS;
import static io.parley.gateway.config.Setting.Section.HISTORY;
import static io.parley.gateway.config.Setting.Section.LIMITS;
import static io.parley.gateway.config.Setting.Section.LOGS;
import static io.parley.gateway.config.Setting.Section.NETWORK;
import static io.parley.gateway.config.Setting.Section.PRESENCE;
import static io.parley.gateway.config.Setting.Section.SHUTDOWN;
import static io.parley.gateway.config.Setting.Section.WEBHOOKS;

/**
 * Every configuration key of a node, each said once (name, default, allowed values, meaning), in
 * the order of {@code config/parley.yaml}. The history store's and the cluster's defaults and
 * bounds are their option classes' own.
 */
public final class Settings {
    private static final int MAX = Integer.MAX_VALUE;

    // --- Network
    public static final Setting<Integer> PORT = Setting.integer(NETWORK, "port", 8080, 0, 65535,
            "HTTP and WebSocket on one port (0 picks a free one)");
    public static final Setting<String> BIND_ADDRESS = Setting.text(NETWORK, "bind_address", "0.0.0.0", null,
            "interface to listen on").withAllowed(v -> !v.isBlank(), "a host name or IP address");
    /** Node ids fill 5 bits of a message id (see MessageIds). */
    public static final Setting<Integer> NODE_ID = Setting.integer(NETWORK, "node_id", 0, 0, 31,
            "unique per node in a cluster; part of every message id");
    public static final Setting<Integer> IO_THREADS = Setting.integer(NETWORK, "io_threads", 0, 0, 256,
            "event-loop threads for the sockets; 0 = one per CPU core (nothing blocks on them, and on"
                    + " small machines every extra loop is extra wake-ups)");
    public static final Setting<Path> TLS_CERT_FILE = Setting.path(NETWORK, "tls_cert_file", null,
                    "plain ws/http, e.g. when a load balancer terminates TLS",
                    "PEM certificate chain: serve https/wss on the port (set both TLS files or neither)")
            .withAllowed(Files::isReadable, "a readable file");
    public static final Setting<Path> TLS_KEY_FILE = Setting.path(NETWORK, "tls_key_file", null,
                    "plain ws/http", "PEM (PKCS#8) private key of tls_cert_file")
            .withAllowed(Files::isReadable, "a readable file");
    public static final Setting<Boolean> PERMESSAGE_DEFLATE = Setting.bool(NETWORK, "permessage_deflate", false, null,
            "offer permessage-deflate (RFC 7692) to clients that ask for it; costs CPU and up to about"
                    + " 300 KiB of zlib memory per compressing socket");

    // --- History store
    public static final Setting<Path> DATA_DIR = Setting.path(HISTORY, "data_dir", Path.of("data"), null,
            "embedded store (H2) directory, used when storage_url is not set");
    public static final Setting<String> STORAGE_URL = Setting.text(HISTORY, "storage_url", null,
            "the embedded store in data_dir",
            "PostgreSQL JDBC URL, e.g. jdbc:postgresql://127.0.0.1:5432/parley").withFormat(UrlCredentials::hidden);
    public static final Setting<String> STORAGE_USER = Setting.text(HISTORY, "storage_user", null, "the driver's",
            "PostgreSQL user");
    public static final Setting<String> STORAGE_PASSWORD = Setting.text(HISTORY, "storage_password", null,
            "the driver's", "PostgreSQL password").asSecret();
    public static final Setting<Integer> HISTORY_QUEUE_CAPACITY = Setting.integer(HISTORY, "history_queue_capacity",
            HistoryOptions.DEFAULT_WRITE_QUEUE_CAPACITY, 1, HistoryOptions.MAX_QUEUE_CAPACITY,
            "messages waiting for commit; when full, senders get error 503");
    public static final Setting<Integer> HISTORY_BATCH_SIZE = Setting.integer(HISTORY, "history_batch_size",
            HistoryOptions.DEFAULT_MAX_BATCH_SIZE, 1, HistoryOptions.MAX_BATCH_SIZE,
            "most messages committed in one transaction (group commit); at most history_queue_capacity");
    public static final Setting<Duration> HISTORY_TIMEOUT = Setting.duration(HISTORY, "history_timeout",
            HistoryOptions.DEFAULT_OPERATION_TIMEOUT, Duration.ofMillis(1), HistoryOptions.MAX_OPERATION_TIMEOUT,
            "deadline of any storage operation; past it the client gets error 503");
    public static final Setting<Integer> HISTORY_WRITER_THREADS = Setting.integer(HISTORY, "history_writer_threads",
            HistoryOptions.DEFAULT_WRITER_THREADS, 1, HistoryOptions.MAX_WRITER_THREADS,
            "group-commit writers, one database connection each; a chat always uses the same writer"
                    + " (per-chat order), and the queue is split among them");
    public static final Setting<Integer> HISTORY_READ_THREADS = Setting.integer(HISTORY, "history_read_threads",
            HistoryOptions.DEFAULT_READ_THREADS, 1, HistoryOptions.MAX_READ_THREADS,
            "threads (and connections) for reads; never shared with the writers");
    public static final Setting<Duration> HISTORY_LINGER = Setting.duration(HISTORY, "history_linger",
            Duration.ofNanos(HistoryOptions.DEFAULT_LINGER_MICROS * 1_000), Duration.ZERO,
            Duration.ofNanos(HistoryOptions.MAX_LINGER_MICROS * 1_000),
            "how long a writer waits for more messages before it commits, when more than one is waiting"
                    + " (a lone message is committed at once)");

    // --- Authentication
    public static final Setting<String> JWT_SECRET = Setting.text(AUTHENTICATION, "jwt_secret", null,
                    "when no key file or JWKS URL is set either, a random secret for this process only and"
                            + " dev_tokens on (development)",
                    "HS256 secret")
            .withAllowed(v -> v.length() >= 32, "at least 32 characters (256 bits for HS256)").asSecret();
    public static final Setting<Path> JWT_PUBLIC_KEY_FILE = Setting.path(AUTHENTICATION, "jwt_public_key_file",
            null, "see jwt_secret", "PEM public key (RSA for RS256, EC P-256 for ES256); instead of jwt_secret");
    public static final Setting<String> JWT_JWKS_URL = Setting.text(AUTHENTICATION, "jwt_jwks_url", null, "see jwt_secret",
                    "JWKS of RS256/ES256 keys, picked by the token's kid and fetched again when an unknown kid"
                            + " arrives (keys rotate without a restart); instead of jwt_secret or jwt_public_key_file")
            .withAllowed(Settings::httpUrl, "an https:// or http:// URL").withFormat(UrlCredentials::hidden);
    public static final Setting<String> JWT_ISSUER = Setting.text(AUTHENTICATION, "jwt_issuer", null,
            "any issuer", "the iss every token must carry");
    public static final Setting<String> JWT_AUDIENCE = Setting.text(AUTHENTICATION, "jwt_audience", null,
            "any audience", "the aud every token must carry");
    public static final Setting<Duration> JWT_LEEWAY = Setting.duration(AUTHENTICATION, "jwt_leeway",
            Duration.ofSeconds(5), Duration.ZERO, Duration.ofHours(1), "clock skew allowed on exp, nbf and iat");
    /** Unset, it follows the keys: without one nobody else can mint tokens. */
    public static final Setting<Boolean> DEV_TOKENS = Setting.bool(AUTHENTICATION, "dev_tokens", null,
            "on exactly when none of jwt_secret, jwt_public_key_file and jwt_jwks_url is set",
            "POST /api/v1/dev/tokens {\"sub\": \"...\", \"role\": \"admin\"?} mints a token (HS256 only)");
    public static final Setting<Duration> DEV_TOKEN_TTL = Setting.duration(AUTHENTICATION, "dev_token_ttl",
            Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofHours(24), "lifetime of a development token");
    public static final Setting<List<String>> ALLOWED_ORIGINS = Setting.list(AUTHENTICATION, "allowed_origins",
            List.of("*"), "browser origins allowed to open sockets (e.g. https://app.example.com,"
                    + "https://admin.example.com); * = any. Requests without Origin (non-browser clients) are"
                    + " always allowed");

    // --- Limits
    public static final Setting<Integer> MAX_FRAME_BYTES = Setting.integer(LIMITS, "max_frame_bytes", 64 * 1024,
            1024, 16 * 1024 * 1024, "largest WebSocket message (after joining fragments); above: close 1009");
    public static final Setting<Integer> MAX_TEXT_LENGTH = Setting.integer(LIMITS, "max_text_length", 4_000, 1, MAX,
            "longest message content in characters, at most max_frame_bytes; above: error 413, the socket stays");
    public static final Setting<Integer> MAX_OUTBOUND_BYTES = Setting.integer(LIMITS, "max_outbound_bytes",
            1024 * 1024, 16 * 1024, MAX, "bytes queued to one slow socket before it is closed with 4008");
    public static final Setting<Duration> HANDSHAKE_TIMEOUT = Setting.duration(LIMITS, "handshake_timeout",
            Duration.ofSeconds(10), Duration.ofMillis(1), null,
            "a connection must send a complete HTTP request within this (slowloris guard)");
    public static final Setting<Duration> IDLE_TIMEOUT = Setting.duration(LIMITS, "idle_timeout",
            Duration.ofSeconds(60), Duration.ofMillis(1), null,
            "without client traffic: a ping after half of it, close 1001 after all of it");
    public static final Setting<Integer> MAX_MESSAGES_PER_SECOND = Setting.integer(LIMITS, "max_messages_per_second",
            100, 1, 100_000, "sustained requests per socket (token bucket); above: error 429, the socket stays");
    public static final Setting<Integer> MESSAGE_BURST = Setting.integer(LIMITS, "message_burst", 200, 1, 100_000,
            "requests a socket may send at once before the rate applies; a client that ignores a burst's"
                    + " worth of 429s in a row is closed with 1008");
    public static final Setting<Integer> MAX_CONNECTIONS_PER_USER = Setting.integer(LIMITS,
            "max_connections_per_user", 16, 1, MAX, "open sockets of one user on this node; above: HTTP 429, no upgrade");
    /** Above the idle-sockets benchmark from one address. */
    public static final Setting<Integer> MAX_CONNECTIONS_PER_ADDRESS = Setting.integer(LIMITS,
            "max_connections_per_address", 20_000, 1, MAX, "open connections from one IP address; above: closed at"
                    + " once. Behind a load balancer every client shares its address: keep it high");
    public static final Setting<Integer> MAX_CHATS_PER_USER = Setting.integer(LIMITS, "max_chats_per_user", 1_000,
            1, MAX, "chats a user may create or join (staff joining support chats exempt); above: error 403");
    public static final Setting<Integer> CHAT_CACHE_SIZE = Setting.integer(LIMITS, "chat_cache_size", 100_000, 16,
            MAX, "chats (with their members) cached in memory for the send path");

    // --- Dialects
    public static final Setting<Duration> FEED_HEARTBEAT_INTERVAL = Setting.duration(DIALECTS,
            "feed_heartbeat_interval", Duration.ofSeconds(5), Duration.ofMillis(10), null,
            "dialect feed: interval of heartbeat frames on sockets opened with ?heartbeat=true");

    // --- Presence
    public static final Setting<Duration> PRESENCE_OFFLINE_GRACE = Setting.duration(PRESENCE, "presence_offline_grace",
            Duration.ofSeconds(3), Duration.ZERO, Duration.ofMinutes(1), "a user whose last connection closes stays"
                    + " online this long: a reconnect within it (a dropped network, a storm of them) announces"
                    + " nothing and costs no lookup of whom to tell; 0 announces offline at once. Hiding with"
                    + " set_offline is always at once");
    public static final Setting<Integer> PRESENCE_LAST_SEEN_CAPACITY = Setting.integer(PRESENCE,
            "presence_last_seen_capacity", 100_000, 16, MAX, "single node: users whose last seen is kept in memory"
                    + " (lost on restart); past it the one seen longest ago is forgotten and reads as unknown");
    public static final Setting<Duration> PRESENCE_LAST_SEEN_TTL = Setting.duration(PRESENCE, "presence_last_seen_ttl",
            Duration.ofDays(30), Duration.ofMinutes(1), null, "cluster: how long Redis keeps a user's last seen"
                    + " after it was written; a user not seen for longer reads as unknown");

    // --- Cluster
    public static final Setting<String> REDIS_URL = Setting.text(CLUSTER, "redis_url", null,
                    "one node with the in-process bus",
                    "Redis for the cluster bus and presence, e.g. redis://127.0.0.1:6379 (rediss:// for TLS,"
                            + " redis://:password@host:port), or Redis Sentinel:"
                            + " redis-sentinel://host1:26379,host2:26379,host3:26379#mymaster (the bus follows"
                            + " a failover to the new primary), or Redis Cluster (7 or newer):"
                            + " redis-cluster://host1:6379,host2:6379,host3:6379 (sharded pub/sub; any reachable"
                            + " node tells the rest). Every node of a cluster uses the same Redis and"
                            + " PostgreSQL (storage_url) and its own node_id")
            .withAllowed(RedisLink::supports, "a " + RedisLink.SCHEMES + " URL")
            .withFormat(RedisLink::redacted);
    public static final Setting<Integer> BUS_PUBLISH_BACKLOG = Setting.integer(CLUSTER, "bus_publish_backlog",
            ClusterOptions.DEFAULT_PUBLISH_BACKLOG, 1, MAX, "events waiting to be published while Redis is behind;"
                    + " past it a publish fails at once and is kept to be sent again (the event is in history"
                    + " either way)");
    public static final Setting<Duration> NODE_TTL = Setting.duration(CLUSTER, "node_ttl",
            ClusterOptions.DEFAULT_NODE_TTL, Duration.ofSeconds(1), null, "a node that stops refreshing its"
                    + " liveness key for this long (killed) is removed by a peer, which announces its users offline");

    // --- Webhooks
    public static final Setting<String> WEBHOOK_URL = Setting.text(WEBHOOKS, "webhook_url", null,
                    "no webhooks (no events are written to the outbox)",
                    "POST every event (message.created, chat.created, member.added, member.removed, chat.closed)"
                            + " to this URL, at least once, signed with webhook_secret (docs/webhooks.md)")
            .withAllowed(Settings::httpUrl, "an https:// or http:// URL").withFormat(UrlCredentials::hidden);
    public static final Setting<String> WEBHOOK_SECRET = Setting.text(WEBHOOKS, "webhook_secret", null,
                    "required with webhook_url", "HMAC-SHA256 key of the Parley-Signature header; the receiver"
                            + " checks every event with it")
            .withAllowed(v -> v.length() >= 32, "at least 32 characters (256 bits)").asSecret();
    public static final Setting<Integer> WEBHOOK_MAX_ATTEMPTS = Setting.integer(WEBHOOKS, "webhook_max_attempts", 16,
            1, 1_000, "attempts per event before it is kept as a dead letter (with the defaults 2 to 4 hours of"
                    + " retries)");
    public static final Setting<Duration> WEBHOOK_TIMEOUT = Setting.duration(WEBHOOKS, "webhook_timeout",
            Duration.ofSeconds(10), Duration.ofMillis(10), Duration.ofMinutes(5),
            "per request (connect and answer); past it the attempt has failed");
    public static final Setting<Integer> WEBHOOK_CONCURRENCY = Setting.integer(WEBHOOKS, "webhook_concurrency", 16,
            1, 1_024, "requests in flight from this node at most; a slow receiver holds these, never chat delivery");
    public static final Setting<Duration> WEBHOOK_BACKOFF_MAX = Setting.duration(WEBHOOKS, "webhook_backoff_max",
            Duration.ofHours(1), Duration.ofMillis(10), Duration.ofDays(1),
            "longest wait between two attempts; the waits double from 1s (or this, if shorter), with jitter");

    // --- Shutdown
    public static final Setting<Duration> SHUTDOWN_GRACE = Setting.duration(SHUTDOWN, "shutdown_grace",
            Duration.ZERO, Duration.ZERO, Duration.ofMinutes(10), "after SIGTERM, /ready answers 503 at once and"
                    + " the node keeps serving this long, so a load balancer takes it out before any socket closes"
                    + " (production: a few readiness-probe periods, e.g. 10s)");
    public static final Setting<Duration> SHUTDOWN_CLOSE_WINDOW = Setting.duration(SHUTDOWN, "shutdown_close_window",
            Duration.ZERO, Duration.ZERO, Duration.ofMinutes(10), "then sockets are closed with 1001 spread over"
                    + " this window (with jitter), so their clients do not all reconnect elsewhere at once"
                    + " (production: e.g. 10s); then queued messages are committed and the node exits");

    // --- Logs
    public static final Setting<LogFormat> LOG_FORMAT = Setting.choice(LOGS, "log_format", LogFormat.TEXT,
            LogFormat.class, "text, or json: one JSON object per line, with an ISO-8601 date and the connection's"
                    + " fields in mdc; both on standard output. The level is PARLEY_LOG_LEVEL (read by logback,"
                    + " not a key)");

    // --- Attachments
    public static final Setting<String> ATTACHMENT_STORE = Setting.text(ATTACHMENTS, "attachment_store", null,
            "files under data_dir/attachments, on this node's disk", "where uploaded files live: file:/shared/dir,"
                    + " or S3-compatible storage a cluster's nodes share: s3://bucket[/prefix]?endpoint=http://host:9000"
                    + "&region=us-east-1&path_style=true (credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or"
                    + " the AWS SDK's other sources; the bucket is checked at start); downloads from S3 are redirects to"
                    + " short-lived presigned URLs, which name public_endpoint=https://host when set (the server as"
                    + " clients reach it, if the nodes use an internal name)");
    public static final Setting<Integer> ATTACHMENT_MAX_BYTES = Setting.integer(ATTACHMENTS, "attachment_max_bytes",
            25 * 1024 * 1024, 1, MAX, "largest upload: a bigger one is refused with 413 before its body is read"
                    + " (when it announces its length) or as soon as it passes the limit");
    public static final Setting<List<String>> ATTACHMENT_TYPES = Setting.list(ATTACHMENTS, "attachment_types",
            List.of("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"),
            "media types accepted, as read from the file's bytes (what the client says is ignored); others get"
                    + " 415. Recognised besides: video/mp4, audio/mpeg, application/zip; never served as a page:"
                    + " text/html and image/svg+xml");
    public static final Setting<Duration> ATTACHMENT_TTL = Setting.duration(ATTACHMENTS, "attachment_ttl",
            Duration.ofHours(24), Duration.ofMinutes(1), Duration.ofDays(365), "an upload no message carries is"
                    + " deleted after this; a file whose last message is deleted goes at once");
    public static final Setting<Integer> ATTACHMENT_UPLOADS = Setting.integer(ATTACHMENTS, "attachment_uploads", 16,
            1, 10_000, "uploads in progress at once on this node; more are answered 503");

    /** Every key, in the order of {@code config/parley.yaml}. */
    public static final List<Setting<?>> ALL = List.of(
            PORT, BIND_ADDRESS, NODE_ID, IO_THREADS, TLS_CERT_FILE, TLS_KEY_FILE, PERMESSAGE_DEFLATE,
            DATA_DIR, STORAGE_URL, STORAGE_USER, STORAGE_PASSWORD, HISTORY_QUEUE_CAPACITY, HISTORY_BATCH_SIZE,
            HISTORY_TIMEOUT, HISTORY_WRITER_THREADS, HISTORY_READ_THREADS, HISTORY_LINGER,
            ATTACHMENT_STORE, ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES, ATTACHMENT_TTL, ATTACHMENT_UPLOADS,
            JWT_SECRET, JWT_PUBLIC_KEY_FILE, JWT_JWKS_URL, JWT_ISSUER, JWT_AUDIENCE, JWT_LEEWAY, DEV_TOKENS,
            DEV_TOKEN_TTL, ALLOWED_ORIGINS,
            MAX_FRAME_BYTES, MAX_TEXT_LENGTH, MAX_OUTBOUND_BYTES, HANDSHAKE_TIMEOUT, IDLE_TIMEOUT,
            MAX_MESSAGES_PER_SECOND, MESSAGE_BURST, MAX_CONNECTIONS_PER_USER, MAX_CONNECTIONS_PER_ADDRESS,
            MAX_CHATS_PER_USER, CHAT_CACHE_SIZE,
            FEED_HEARTBEAT_INTERVAL,
            PRESENCE_OFFLINE_GRACE, PRESENCE_LAST_SEEN_CAPACITY, PRESENCE_LAST_SEEN_TTL,
            REDIS_URL, BUS_PUBLISH_BACKLOG, NODE_TTL,
            WEBHOOK_URL, WEBHOOK_SECRET, WEBHOOK_MAX_ATTEMPTS, WEBHOOK_TIMEOUT, WEBHOOK_CONCURRENCY,
            WEBHOOK_BACKOFF_MAX,
            SHUTDOWN_GRACE, SHUTDOWN_CLOSE_WINDOW,
            LOG_FORMAT);

    private static final Map<String, Setting<?>> BY_KEY = ALL.stream()
            .collect(Collectors.toUnmodifiableMap(Setting::key, Function.identity()));

    private Settings() {
    }

    /** The setting named {@code key}, or {@code null}. */
    public static Setting<?> byKey(String key) {
        return BY_KEY.get(key);
    }


    private static boolean httpUrl(String url) {
        try {
            URI uri = new URI(url);
            return ("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
