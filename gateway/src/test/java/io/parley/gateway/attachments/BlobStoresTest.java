package io.parley.gateway.attachments;

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
    void anS3UrlOpensS3AtTheLocationItSays() {
        try (BlobStore store = BlobStores.open(
                "s3://attachments/parley/prod?endpoint=http://127.0.0.1:9000&region=eu-central-1&path_style=true", dataDir)) {
            assertThat(store).isInstanceOf(S3BlobStore.class);
            assertThat(((S3BlobStore) store).location()).isEqualTo(new S3Location("attachments", "parley/prod",
                    Optional.of(URI.create("http://127.0.0.1:9000")), "eu-central-1", true));
            assertThat(store.describe()).isEqualTo("s3://attachments/parley/prod");
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
