package io.parley.gateway.attachments;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;

/** Opens the {@link BlobStore} that the {@code attachment_store} setting names. */
public final class BlobStores {
    /** What the setting accepts, for the message an operator sees at start-up. */
    public static final String ACCEPTED = "files (the default: <data_dir>/attachments), "
            + "file:/absolute/directory, or " + S3Location.FORMAT;

    private BlobStores() {
    }

    /**
     * The store {@code url} names: null, blank or {@code files} for files under
     * {@code dataDir/attachments}; {@code file:/absolute/dir} for files there; {@code s3://...}
     * for S3 (see {@link S3Location}). Anything else is an {@link IllegalArgumentException} that
     * says what is accepted.
     */
    public static BlobStore open(String url, Path dataDir) {
        String setting = url == null ? "" : url.strip();
        if (setting.isEmpty() || setting.equalsIgnoreCase("files")) {
            return new FileBlobStore(dataDir.resolve("attachments"));
        }
        String scheme = scheme(setting);
        if (scheme.equals("file")) {
            return new FileBlobStore(directory(setting));
        }
        if (scheme.equals("s3")) {
            S3BlobStore store;
            try {
                store = new S3BlobStore(S3Location.parse(setting));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("attachment_store: " + e.getMessage(), e);
            }
            return reachable(store);
        }
        // Only the scheme is echoed: an unexpected URL may well carry a password.
        throw new IllegalArgumentException("attachment_store must be " + ACCEPTED
                + (scheme.isEmpty() ? "" : "; got a " + scheme + ": URL"));
    }

    /** The store, once it answered; otherwise closed, and the node does not start. */
    private static S3BlobStore reachable(S3BlobStore store) {
        try {
            store.checkReachable();
            return store;
        } catch (IOException e) {
            store.close();
            throw new IllegalStateException("attachment_store: " + e.getMessage(), e);
        }
    }

    private static String scheme(String setting) {
        int colon = setting.indexOf(':');
        String scheme = colon < 0 ? "" : setting.substring(0, colon).toLowerCase(Locale.ROOT);
        return scheme.matches("[a-z][a-z0-9+.-]*") ? scheme : "";
    }

    /** {@code file:/dir} or {@code file:///dir}: an absolute path on this machine, nothing else. */
    private static Path directory(String setting) {
        URI uri;
        try {
            uri = new URI(setting);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("attachment_store: not a file: URL (" + e.getReason()
                    + "); expected file:/absolute/directory", e);
        }
        if (uri.isOpaque() || uri.getRawAuthority() != null || uri.getRawQuery() != null
                || uri.getRawFragment() != null || uri.getPath() == null || uri.getPath().isEmpty()) {
            throw new IllegalArgumentException("attachment_store: expected file:/absolute/directory, got " + setting);
        }
        return Path.of(uri.getPath());
    }
}
