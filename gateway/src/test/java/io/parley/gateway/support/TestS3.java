package io.parley.gateway.support;

import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

import java.net.URI;
import java.time.Duration;

/**
 * An S3-compatible server of this test's own (S3Proxy over jclouds' in-memory {@code transient}
 * store) on a free loopback port, with one bucket, {@link #BUCKET}, already made. Requests must be
 * signed (AWS V2 or V4) with {@link #ACCESS_KEY} and {@link #SECRET_KEY}: a node process takes
 * them as {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY} (a node in the test's JVM
 * as the system properties {@code aws.accessKeyId} and {@code aws.secretAccessKey}) and
 * {@link #url()} as its {@code attachment_store}. Everything is gone after {@link #close()}.
 */
public final class TestS3 implements AutoCloseable {
    public static final String BUCKET = "parley-attachments";
    public static final String REGION = "us-east-1";
    public static final String ACCESS_KEY = "parley-test-access-key";
    public static final String SECRET_KEY = "parley-test-secret-key";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final BlobStoreContext context;
    private final S3Proxy proxy;

    private TestS3() throws Exception {
        context = ContextBuilder.newBuilder("transient")
                .credentials("unused", "unused")
                .build(BlobStoreContext.class);
        context.getBlobStore().createContainerInLocation(null, BUCKET);
        proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                // Port 0: Jetty takes a free one, so parallel test JVMs never collide.
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        try {
            proxy.start();
            awaitStarted();
        } catch (Exception | Error e) {
            try {
                close();
            } catch (RuntimeException alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            throw e;
        }
    }

    /** Starts the server and makes the bucket. */
    public static TestS3 start() {
        try {
            return new TestS3();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start S3Proxy", e);
        }
    }

    /** {@code start()} returns before Jetty has bound its port. */
    private void awaitStarted() throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!AbstractLifeCycle.STARTED.equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start within " + START_TIMEOUT
                        + "; state " + proxy.getState());
            }
            Thread.sleep(10);
        }
    }

    /** The server's base URL, {@code http://127.0.0.1:<port>}. */
    public String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    /** The {@code attachment_store} for {@link #BUCKET} on this server. */
    public String url() {
        return "s3://" + BUCKET + "?endpoint=" + endpoint() + "&region=" + REGION + "&path_style=true";
    }

    /** The same, with the blobs under {@code prefix} in the bucket. */
    public String url(String prefix) {
        return "s3://" + BUCKET + "/" + prefix + "?endpoint=" + endpoint() + "&region=" + REGION + "&path_style=true";
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    /** Whether the bucket holds an object of this name, asked of the store behind the server. */
    public boolean hasObject(String objectName) {
        return context.getBlobStore().blobExists(BUCKET, objectName);
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop S3Proxy", e);
        } finally {
            context.close();
        }
    }
}
