package io.parley.gateway.attachments;

import io.parley.gateway.support.TestS3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlobStoresTest {
    @TempDir
    Path dataDir;

    @Test
    void nothingSetOrFilesMeansFilesUnderTheDataDirectory() {
        for (String setting : new String[] {null, "", "  ", "files", "FILES"}) {
            try (BlobStore store = BlobStores.open(setting, dataDir)) {
                assertThat(store).as("%s", setting).isInstanceOf(FileBlobStore.class);
                assertThat(((FileBlobStore) store).root()).isEqualTo(dataDir.resolve("attachments").toAbsolutePath());
            }
        }
    }

    @Test
    void aFileUrlNamesTheDirectory() {
        for (String setting : new String[] {"file:/srv/parley/blobs", "file:///srv/parley/blobs/"}) {
            try (BlobStore store = BlobStores.open(setting, dataDir)) {
                assertThat(store.describe()).as(setting).isEqualTo("files:/srv/parley/blobs");
            }
        }
    }

    @Test
    void aFileUrlMustBeAnAbsoluteLocalDirectory() {
        for (String setting : new String[] {"file:blobs", "file://fileserver/blobs", "file:/blobs?x=1", "file:"}) {
            assertThatThrownBy(() -> BlobStores.open(setting, dataDir)).as(setting)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("file:/absolute/directory");
        }
    }

    @Test
    void anS3UrlOpensS3AtTheLocationItSaysOnceTheBucketAnswers() {
        String accessKey = System.getProperty("aws.accessKeyId");
        String secretKey = System.getProperty("aws.secretAccessKey");
        try (TestS3 s3 = TestS3.start()) {
            System.setProperty("aws.accessKeyId", s3.accessKey()); // the default chain, as a node reads it
            System.setProperty("aws.secretAccessKey", s3.secretKey());
            try (BlobStore store = BlobStores.open(s3.url("parley/prod"), dataDir)) {
                assertThat(store).isInstanceOf(S3BlobStore.class);
                assertThat(((S3BlobStore) store).location()).isEqualTo(new S3Location(TestS3.BUCKET, "parley/prod",
                        Optional.of(URI.create(s3.endpoint())), TestS3.REGION, true, Optional.empty()));
                assertThat(store.describe()).isEqualTo("s3://" + TestS3.BUCKET + "/parley/prod");
            }
        } finally {
            restore("aws.accessKeyId", accessKey);
            restore("aws.secretAccessKey", secretKey);
        }
    }

    @Test
    void anS3StoreThatDoesNotAnswerStopsTheStartWithWhereItLooked() {
        assertThatThrownBy(() -> BlobStores.open(
                "s3://attachments/parley/prod?endpoint=http://127.0.0.1:9&region=eu-central-1&path_style=true", dataDir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("attachment_store: ")
                .hasMessageContaining("s3://attachments/parley/prod");
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    @Test
    void aBadS3UrlSaysWhatIsWrongUnderTheSettingsName() {
        assertThatThrownBy(() -> BlobStores.open("s3://bucket?pathstyle=true", dataDir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("attachment_store: ")
                .hasMessageContaining("pathstyle");
    }

    @Test
    void anythingElseIsRefusedWithWhatIsAccepted() {
        for (String setting : new String[] {"minio", "https://s3.example.com/bucket", "/var/lib/parley"}) {
            assertThatThrownBy(() -> BlobStores.open(setting, dataDir)).as(setting)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("attachment_store")
                    .hasMessageContaining("files")
                    .hasMessageContaining("file:/absolute/directory")
                    .hasMessageContaining("s3://bucket");
        }
    }

    @Test
    void aRefusedUrlIsNotEchoedSinceItMayHoldAPassword() {
        assertThatThrownBy(() -> BlobStores.open("https://admin:hunter2@store.example.com/", dataDir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("https")
                .hasMessageNotContaining("hunter2");
    }
}
