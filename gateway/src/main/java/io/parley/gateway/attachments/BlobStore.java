package io.parley.gateway.attachments;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * Where the bytes of uploaded attachments live: files under {@code data_dir} (the zero-config
 * default) or S3-compatible object storage (a cluster's nodes share one bucket). Keys are opaque
 * and safe in a path or an object name ({@code [A-Za-z0-9_-]}). Every method blocks: call off the
 * event loop.
 */
public interface BlobStore extends AutoCloseable {

    /**
     * Stores a finished upload under {@code key}. The store takes {@code source} over (moves or
     * uploads it); the caller deletes it afterwards if it is still there.
     */
    void put(String key, Path source, String mediaType, long size) throws IOException;

    /** Where a member's download is served from. */
    Download download(String key, String mediaType, String fileName) throws IOException;

    /** Removes the blob; a key that is not there is no error. */
    void delete(String key) throws IOException;

    /** For readiness and the admin view: "files:/path" or "s3://bucket". */
    String describe();

    @Override
    void close();

    /** How the node answers a download. */
    sealed interface Download {
        /** A file on this node's disk: sent by the node (ranges, zero-copy). */
        record LocalFile(Path file) implements Download {
        }

        /** A short-lived presigned URL: the node answers 302 to it. */
        record Redirect(URI location) implements Download {
        }
    }
}
