package io.parley.gateway;

import io.parley.gateway.config.ConfigLoader;
import io.parley.gateway.config.ParleyConfig;
import io.parley.gateway.http.DevTokensRoute;
import io.parley.gateway.logging.LogFormat;
import io.parley.gateway.server.ParleyServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.OptionalInt;

import static io.parley.gateway.config.Settings.DEV_TOKENS;
import static io.parley.gateway.config.Settings.LOG_FORMAT;

/**
 * {@code java -jar parley-gateway.jar}: runs one node configured from the environment
 * ({@code --version} and {@code --help} answer and exit).
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        OptionalInt answered = CommandLine.answer(args, System.out, System.err);
        if (answered.isPresent()) {
            System.exit(answered.getAsInt());
            return;
        }
        // The environment's format at once, so the lines logged while the configuration loads are
        // in it too; then the configured one (the file may name it).
        LogFormat.fromEnvironment(System.getenv()).apply();
        ParleyConfig config;
        try {
            config = ConfigLoader.load(System.getenv());
        } catch (RuntimeException e) {
            log.error("Parley cannot start: {}", e.getMessage());
            System.exit(2);
            return;
        }
        config.get(LOG_FORMAT).apply();
        JvmDefaults.apply();
        ParleyServer server;
        try {
            server = ParleyServer.start(config);
        } catch (Exception e) { // Netty rethrows bind failures (IOExceptions) unchecked
            log.error("Parley cannot start: {}", e.getMessage(), e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "parley-shutdown"));
        if (server.keys().generated()) {
            log.warn("No PARLEY_JWT_SECRET, PARLEY_JWT_PUBLIC_KEY_FILE or PARLEY_JWT_JWKS_URL set: using a random "
                    + "secret that lives as long as this process (development only).");
        }
        if (config.get(DEV_TOKENS)) {
            int port = server.port();
            log.info("Development tokens are on. Get one with:\n  curl -s -X POST http://localhost:{}{} -d '{}'\n"
                    + "then chat in a browser at http://localhost:{}/ or connect to ws://localhost:{}/ws?sid=alice "
                    + "with subprotocols [\"access_token\", <token>]", port, DevTokensRoute.PATH, "{\"sub\":\"alice\"}", port, port);
        }
    }
}
