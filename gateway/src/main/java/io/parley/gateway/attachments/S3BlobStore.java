package io.parley.gateway.attachments;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.GetObjectPresignRequest;
import software.amazon.awssdk.utils.SdkAutoCloseable;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Attachments in S3 or an S3-compatible object store (MinIO, Ceph, Garage...), so that every node
 * of a cluster sees every blob. Uploads stream from the spooled file; a download is a redirect to
 * a presigned GET that names the content type and disposition, so the bytes never pass through
 * the node. Credentials come from the AWS SDK's default chain ({@code AWS_ACCESS_KEY_ID} and
 * {@code AWS_SECRET_ACCESS_KEY}, a profile, an instance or container role). Every call is bounded:
 * connect and read timeouts, a deadline per call, a few retries.
 */
public final class S3BlobStore implements BlobStore {
    /**
     * Long enough for a client to follow the redirect and start a large download; short enough
     * that a copied link soon stops working for someone who has left the chat.
     */
    public static final Duration DEFAULT_LINK_LIFETIME = Duration.ofMinutes(5);

    /** The longest a SigV4 presigned URL may live. */
    private static final Duration MAX_LINK_LIFETIME = Duration.ofDays(7);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Silence on an open connection longer than this means the server or the path is gone. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    /** For the small calls (delete); an upload gets a deadline that grows with its size. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration UPLOAD_TIMEOUT_FLOOR = Duration.ofMinutes(1);
    /** Uploads slower than this are given up: a stalled write is not caught by the read timeout. */
    private static final long SLOWEST_UPLOAD_BYTES_PER_SECOND = 256 * 1024;
    /** Counting the first try; throttling, 5xx and broken connections are retried with backoff. */
    private static final int MAX_ATTEMPTS = 3;

    private final S3Location location;
    private final Duration linkLifetime;
    private final S3Client client;
    private final S3Presigner presigner;
    /** The default chain this store made and must close; null when the caller gave credentials. */
    private final SdkAutoCloseable ownedCredentials;

    /** A store at {@code location} with the default chain's credentials and link lifetime. */
    public S3BlobStore(S3Location location) {
        this(location, DEFAULT_LINK_LIFETIME);
    }

    /** A store at {@code location} whose download links expire after {@code linkLifetime}. */
    public S3BlobStore(S3Location location, Duration linkLifetime) {
        this(location, linkLifetime, DefaultCredentialsProvider.builder().build(), true);
    }

    /** With credentials of the caller's (tests against their own server): not closed here. */
    S3BlobStore(S3Location location, Duration linkLifetime, AwsCredentialsProvider credentials) {
        this(location, linkLifetime, credentials, false);
    }

    private S3BlobStore(S3Location location, Duration linkLifetime, AwsCredentialsProvider credentials,
                        boolean ownsCredentials) {
        if (linkLifetime.isNegative() || linkLifetime.isZero() || linkLifetime.compareTo(MAX_LINK_LIFETIME) > 0) {
            throw new IllegalArgumentException("a download link lives more than 0 and at most "
                    + MAX_LINK_LIFETIME.toDays() + " days, got " + linkLifetime);
        }
        this.location = location;
        this.linkLifetime = linkLifetime;
        this.ownedCredentials = ownsCredentials ? (SdkAutoCloseable) credentials : null;
        this.client = client(location, credentials);
        this.presigner = presigner(location, credentials);
    }

    private static S3Client client(S3Location location, AwsCredentialsProvider credentials) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(CONNECT_TIMEOUT)
                        .socketTimeout(READ_TIMEOUT))
                .region(Region.of(location.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(location.pathStyle())
                .overrideConfiguration(config -> config
                        .apiCallTimeout(CALL_TIMEOUT)
                        .retryStrategy(retry -> retry.maxAttempts(MAX_ATTEMPTS)));
        location.endpoint().ifPresent(endpoint -> builder
                .endpointOverride(endpoint)
                // The SDK's default CRC checksums (aws-chunked bodies with trailers) are not
                // understood by every S3-compatible server; AWS itself keeps them.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED));
        return builder.build();
    }

    private static S3Presigner presigner(S3Location location, AwsCredentialsProvider credentials) {
        S3Presigner.Builder builder = S3Presigner.builder()
                .region(Region.of(location.region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(location.pathStyle()).build());
        location.linkEndpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** Where the blobs are. */
    public S3Location location() {
        return location;
    }

    @Override
    public void put(String key, Path source, String mediaType, long size) throws IOException {
        PutObjectRequest request = PutObjectRequest.builder()
                .bucket(location.bucket())
                .key(location.objectName(BlobKeys.checked(key)))
                .contentType(mediaType)
                .overrideConfiguration(config -> config.apiCallTimeout(uploadTimeout(size)))
                .build();
        try {
            // From the file: streamed with its length, and read again from the start on a retry.
            client.putObject(request, RequestBody.fromFile(source));
        } catch (SdkException e) {
            throw failed("upload of " + key + " to", e);
        }
    }

    static Duration uploadTimeout(long size) {
        return UPLOAD_TIMEOUT_FLOOR.plusSeconds(Math.max(0, size) / SLOWEST_UPLOAD_BYTES_PER_SECOND);
    }

    /**
     * A presigned GET for the blob, made here without asking the server: a key that is not there
     * shows as 404 when the client follows the link.
     */
    @Override
    public Download download(String key, String mediaType, String fileName) {
        String type = mediaType == null || mediaType.isBlank() ? "application/octet-stream" : mediaType;
        GetObjectRequest get = GetObjectRequest.builder()
                .bucket(location.bucket())
                .key(location.objectName(BlobKeys.checked(key)))
                .responseContentType(type)
                .responseContentDisposition(ContentDisposition.of(type, fileName))
                .build();
        GetObjectPresignRequest presign = GetObjectPresignRequest.builder()
                .signatureDuration(linkLifetime)
                .getObjectRequest(get)
                .build();
        try {
            return new Download.Redirect(presigner.presignGetObject(presign).url().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the SDK presigned an invalid URL", e);
        }
    }

    /**
     * HeadBucket: the bucket exists and these credentials reach it. Checked once at start, so a
     * wrong bucket, endpoint or key stops the node instead of failing its first upload.
     */
    public void checkReachable() throws IOException {
        try {
            client.headBucket(HeadBucketRequest.builder().bucket(location.bucket()).build());
        } catch (SdkException e) {
            throw failed("bucket check of", e);
        }
    }

    /** DeleteObject: S3 answers success for a key that is not there, as this interface wants. */
    @Override
    public void delete(String key) throws IOException {
        DeleteObjectRequest request = DeleteObjectRequest.builder()
                .bucket(location.bucket())
                .key(location.objectName(BlobKeys.checked(key)))
                .build();
        try {
            client.deleteObject(request);
        } catch (SdkException e) {
            throw failed("delete of " + key + " in", e);
        }
    }

    @Override
    public String describe() {
        return location.toString();
    }

    @Override
    public void close() {
        presigner.close();
        client.close();
        if (ownedCredentials != null) {
            ownedCredentials.close();
        }
    }

    private IOException failed(String what, SdkException e) {
        return new IOException("S3 " + what + " " + location + " failed: " + e.getMessage(), e);
    }
}
