package io.parley.gateway.auth;

import com.auth0.jwk.InvalidPublicKeyException;
import com.auth0.jwk.Jwk;
import com.auth0.jwk.JwkException;
import com.auth0.jwk.UrlJwkProvider;
import io.parley.gateway.limits.TokenBucket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.MalformedURLException;
import java.net.URI;
import java.security.PublicKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The public keys of a JWKS URL, by {@code kid}. Keys rotate without a restart: a token with a
 * {@code kid} the set does not hold makes it fetch the document again, and the fetched document
 * replaces the set (keys the issuer dropped go too). A set older than {@link #MAX_AGE} is
 * refetched in the background when next used, so a withdrawn key does not live forever.
 *
 * <p>Fetches run on one thread of this class, never on the caller's. Lookups happen on an event
 * loop during the handshake, which never waits: a miss refuses with "unknown key id" (401) at
 * once while the fetch goes on, and a client that retries finds the key once it lands. (A wait,
 * however short, would let tokens with made-up key ids stall the loops whenever the issuer is
 * slow.) {@code missWait} exists for callers off the event loop. Refetches are rate-limited ({@link #REFETCH_BURST}, then one
 * per {@link #REFETCH_INTERVAL}) and coalesced, so tokens with made-up key ids cannot turn the
 * node into a load generator against the issuer.
 */
public final class JwksKeySet implements AutoCloseable {
    /** On the event loop: none (see the class comment). */
    public static final Duration DEFAULT_MISS_WAIT = Duration.ZERO;
    static final Duration MAX_AGE = Duration.ofMinutes(15);
    static final int REFETCH_BURST = 5;
    static final Duration REFETCH_INTERVAL = Duration.ofSeconds(6);
    /** Off the event loop, so these may be generous; they bound how long one fetch holds the fetch thread. */
    private static final int CONNECT_TIMEOUT_MS = 2_000;
    private static final int READ_TIMEOUT_MS = 3_000;
    private static final Logger log = LoggerFactory.getLogger(JwksKeySet.class);

    private final String url;
    private final UrlJwkProvider source;
    private final Duration missWait;
    private final ExecutorService fetcher;
    private volatile Map<String, PublicKey> keys = Map.of();
    private volatile long fetchedAtNanos;
    /** Guarded by {@code this}: the fetch in flight, and the refetch budget. */
    private CompletableFuture<Void> inFlight;
    private final TokenBucket budget = TokenBucket.oneEvery(REFETCH_INTERVAL, REFETCH_BURST, System.nanoTime());

    private JwksKeySet(String url, Duration missWait) {
        this.url = url;
        this.missWait = missWait;
        try {
            this.source = new UrlJwkProvider(URI.create(url).toURL(), CONNECT_TIMEOUT_MS, READ_TIMEOUT_MS);
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("jwt_jwks_url is not a URL: " + url, e);
        }
        this.fetcher = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "parley-jwks");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Fetches the set once before the node listens. An unreachable endpoint is logged, not fatal:
     * an issuer's outage should not keep a restarting node down, and the first token fetches again.
     */
    public static JwksKeySet load(String url, Duration missWait) {
        JwksKeySet set = new JwksKeySet(url, missWait);
        try {
            set.refetch(true).get(CONNECT_TIMEOUT_MS + READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            log.warn("JWKS {} not loaded at start-up; the first token retries", url);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return set;
    }

    /** The key {@code kid} names, waiting at most {@code missWait} for a refetch when the set lacks it. */
    public PublicKey key(String kid) throws AuthException {
        PublicKey key = keys.get(kid);
        if (key != null) {
            if (System.nanoTime() - fetchedAtNanos > MAX_AGE.toNanos()) {
                refetch(false);
            }
            return key;
        }
        CompletableFuture<Void> fetch = refetch(false);
        if (fetch != null && !missWait.isZero()) {
            try {
                fetch.get(missWait.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // refused below; the fetch goes on and a retry finds the key
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        key = keys.get(kid);
        if (key == null) {
            throw new AuthException("unknown_key", "access token key id (kid) not in the key set");
        }
        return key;
    }

    /** Key ids held now (tests, logs). */
    public java.util.Set<String> keyIds() {
        return keys.keySet();
    }

    /** The fetch in flight or a new one; {@code null} when the budget is spent. */
    private synchronized CompletableFuture<Void> refetch(boolean free) {
        if (inFlight != null && !inFlight.isDone()) {
            return inFlight;
        }
        if (!free && !budget.tryTake(System.nanoTime())) {
            return null;
        }
        inFlight = CompletableFuture.runAsync(this::fetch, fetcher);
        return inFlight;
    }

    private void fetch() {
        Map<String, PublicKey> fetched = new HashMap<>();
        try {
            for (Jwk jwk : source.getAll()) {
                if (jwk.getId() == null) {
                    continue; // a token names its key; an unnamed key can never be chosen
                }
                try {
                    fetched.put(jwk.getId(), jwk.getPublicKey());
                } catch (InvalidPublicKeyException e) {
                    log.debug("JWKS {}: skipping key {} ({})", url, jwk.getId(), e.getMessage());
                }
            }
        } catch (JwkException | RuntimeException e) {
            log.warn("JWKS {} fetch failed, keeping the {} keys held: {}", url, keys.size(), e.getMessage());
            throw new IllegalStateException(e);
        }
        keys = Map.copyOf(fetched);
        fetchedAtNanos = System.nanoTime();
        log.info("JWKS {}: key ids {}", url, fetched.keySet());
    }

    @Override
    public void close() {
        fetcher.shutdownNow();
    }
}
