package io.parley.gateway.attachments;

import io.parley.gateway.support.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against a real S3-compatible server (S3Proxy, in this JVM), fetched as a browser would. */
class S3BlobStoreTest {
    private static final Duration LINK_LIFETIME = Duration.ofMinutes(2);

    private static TestS3 s3;
    private static S3BlobStore store;
    private static HttpClient http;

    @TempDir
    Path temp;

    @BeforeAll
    static void startServer() {
        s3 = TestS3.start();
        store = new S3BlobStore(S3Location.parse(s3.url("chats")), LINK_LIFETIME, testCredentials());
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stopServer() {
        if (store != null) {
            store.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    private static AwsCredentialsProvider testCredentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(TestS3.ACCESS_KEY, TestS3.SECRET_KEY));
    }

    @Test
    void anUploadedFileComesBackFromThePresignedLinkWithItsTypeAndName() throws Exception {
        // Larger than any one buffer on the way, and not text.
        byte[] bytes = new byte[700_000];
        new Random(42).nextBytes(bytes);
        Path upload = Files.write(temp.resolve("upload"), bytes);

        store.put("photo1", upload, "image/png", bytes.length);

        assertThat(s3.hasObject("chats/photo1")).as("under the URL's prefix").isTrue();
        HttpResponse<byte[]> response = fetch(redirectOf(store.download("photo1", "image/png", "Strand Mallorca.png")));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(bytes);
        assertThat(response.headers().firstValue("Content-Type")).contains("image/png");
        assertThat(response.headers().firstValue("Content-Disposition"))
                .contains("inline; filename=\"Strand Mallorca.png\"; filename*=UTF-8''Strand%20Mallorca.png");
    }

    @Test
    void linksNameThePublicEndpointAndWorkThere() throws Exception {
        // The nodes reach the server as localhost, clients as 127.0.0.1: one server, two names.
        String port = String.valueOf(URI.create(s3.endpoint()).getPort());
        String url = "s3://" + TestS3.BUCKET + "/chats?endpoint=http://localhost:" + port + "&region=" + TestS3.REGION
                + "&path_style=true&public_endpoint=http://127.0.0.1:" + port;
        try (S3BlobStore behindAProxy = new S3BlobStore(S3Location.parse(url), LINK_LIFETIME, testCredentials())) {
            byte[] bytes = "public".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            behindAProxy.put("public1", Files.write(temp.resolve("public"), bytes), "text/plain", bytes.length);

            URI link = redirectOf(behindAProxy.download("public1", "text/plain", "public.txt"));
            assertThat(link.getHost()).isEqualTo("127.0.0.1");
            HttpResponse<byte[]> response = fetch(link);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(bytes);

            String internal = url.substring(0, url.indexOf("&public_endpoint"));
            try (S3BlobStore withoutIt = new S3BlobStore(S3Location.parse(internal), LINK_LIFETIME, testCredentials())) {
                assertThat(redirectOf(withoutIt.download("public1", "text/plain", "public.txt")).getHost())
                        .as("without public_endpoint the link names the endpoint").isEqualTo("localhost");
            }
        }
    }

    @Test
    void aDocumentIsOfferedForSavingUnderItsUnicodeName() throws Exception {
        Path upload = Files.writeString(temp.resolve("upload"), "%PDF-1.7 not really");
        store.put("report1", upload, "application/pdf", Files.size(upload));

        HttpResponse<byte[]> response = fetch(redirectOf(store.download("report1", "application/pdf", "Bericht März.pdf")));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/pdf");
        assertThat(response.headers().firstValue("Content-Disposition"))
                .contains("attachment; filename=\"Bericht M_rz.pdf\"; filename*=UTF-8''Bericht%20M%C3%A4rz.pdf");
    }

    @Test
    void theLinkLivesAsLongAsTheStoreWasTold() {
        URI link = redirectOf(store.download("any", "text/plain", "a.txt"));

        assertThat(link.getRawQuery()).contains("X-Amz-Expires=" + LINK_LIFETIME.toSeconds());
    }

    @Test
    void aDeletedBlobIsGoneAndDeletingAgainIsNoError() throws Exception {
        Path upload = Files.writeString(temp.resolve("upload"), "short-lived");
        store.put("gone1", upload, "text/plain", Files.size(upload));
        URI link = redirectOf(store.download("gone1", "text/plain", "gone.txt"));
        assertThat(fetch(link).statusCode()).isEqualTo(200);

        store.delete("gone1");
        store.delete("gone1");

        assertThat(s3.hasObject("chats/gone1")).isFalse();
        assertThat(fetch(link).statusCode()).isEqualTo(404);
    }

    @Test
    void aMissingBucketIsAnIOExceptionThatNamesTheStore() throws IOException {
        Path upload = Files.writeString(temp.resolve("upload"), "nowhere to go");
        String url = s3.url().replace(TestS3.BUCKET, "no-such-bucket");
        try (S3BlobStore lost = new S3BlobStore(S3Location.parse(url), LINK_LIFETIME, testCredentials())) {
            assertThatThrownBy(() -> lost.put("key1", upload, "text/plain", Files.size(upload)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("s3://no-such-bucket");
        }
    }

    @Test
    void theStartUpCheckFindsAMissingBucketAndPassesAnExistingOne() throws IOException {
        String url = s3.url().replace(TestS3.BUCKET, "no-such-bucket");
        try (S3BlobStore lost = new S3BlobStore(S3Location.parse(url), LINK_LIFETIME, testCredentials())) {
            assertThatThrownBy(lost::checkReachable).isInstanceOf(IOException.class)
                    .hasMessageContaining("s3://no-such-bucket");
        }
        store.checkReachable();
    }

    @Test
    void wrongCredentialsAreAnIOException() throws IOException {
        Path upload = Files.writeString(temp.resolve("upload"), "unsigned");
        AwsCredentialsProvider wrong = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(TestS3.ACCESS_KEY, "not-the-secret"));
        try (S3BlobStore impostor = new S3BlobStore(S3Location.parse(s3.url()), LINK_LIFETIME, wrong)) {
            assertThatThrownBy(() -> impostor.put("key1", upload, "text/plain", Files.size(upload)))
                    .isInstanceOf(IOException.class);
        }
        assertThat(s3.hasObject("key1")).isFalse();
    }

    @Test
    void keysOutsideTheAlphabetAreRefused() {
        assertThatThrownBy(() -> store.download("../chats", "text/plain", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.delete("a/b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLinkLifetimeBeyondWhatSigV4AllowsIsRefused() {
        S3Location location = S3Location.parse(s3.url());
        assertThatThrownBy(() -> new S3BlobStore(location, Duration.ofDays(8), testCredentials()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new S3BlobStore(location, Duration.ZERO, testCredentials()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void describesItselfByBucketAndPrefix() {
        assertThat(store.describe()).isEqualTo("s3://" + TestS3.BUCKET + "/chats");
    }

    @Test
    void anUploadMayTakeLongerTheLargerItIs() {
        assertThat(S3BlobStore.uploadTimeout(1_000_000_000L)).isGreaterThan(S3BlobStore.uploadTimeout(1_000_000L));
        assertThat(S3BlobStore.uploadTimeout(0)).isPositive();
    }

    private static URI redirectOf(BlobStore.Download download) {
        assertThat(download).isInstanceOf(BlobStore.Download.Redirect.class);
        return ((BlobStore.Download.Redirect) download).location();
    }

    private static HttpResponse<byte[]> fetch(URI link) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(link).timeout(Duration.ofSeconds(10)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }
}
