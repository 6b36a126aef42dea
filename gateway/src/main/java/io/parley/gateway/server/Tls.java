package io.parley.gateway.server;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.parley.gateway.config.ParleyConfig;

import javax.net.ssl.SSLException;

import static io.parley.gateway.config.Settings.TLS_CERT_FILE;
import static io.parley.gateway.config.Settings.TLS_KEY_FILE;

/**
 * The server's TLS context from the PEM certificate chain and PKCS#8 key files: OpenSSL
 * (BoringSSL from netty-tcnative) when its native library loads on this platform, the JDK's
 * provider otherwise. TLS 1.2 and 1.3 only.
 */
final class Tls {
    private Tls() {
    }

    /** Null when TLS is not configured (plain ws, e.g. behind a TLS-terminating load balancer). */
    static SslContext serverContext(ParleyConfig config) {
        if (!config.tls()) {
            return null;
        }
        try {
            return SslContextBuilder.forServer(config.get(TLS_CERT_FILE).toFile(), config.get(TLS_KEY_FILE).toFile())
                    .sslProvider(provider())
                    .protocols("TLSv1.3", "TLSv1.2")
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid configuration: cannot use tls_cert_file " + config.get(TLS_CERT_FILE)
                    + " with tls_key_file " + config.get(TLS_KEY_FILE) + ": " + e.getMessage(), e);
        }
    }

    static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }
}
