package io.parley.gateway.attachments;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3LocationTest {
    @Test
    void aBareBucketIsOnAwsInTheDefaultRegionWithVirtualHosts() {
        S3Location location = S3Location.parse("s3://parley-attachments");

        assertThat(location).isEqualTo(new S3Location("parley-attachments", "", Optional.empty(), "us-east-1", false,
                Optional.empty()));
        assertThat(location.linkEndpoint()).isEmpty();
        assertThat(location.objectName("abc")).isEqualTo("abc");
        assertThat(location).hasToString("s3://parley-attachments");
    }

    @Test
    void everyPartIsRead() {
        S3Location location = S3Location.parse(
                "s3://blobs/parley/chat%20files/?endpoint=https%3A%2F%2Fminio.internal%3A9000&region=garage&path_style=TRUE"
                        + "&public_endpoint=https://files.example.com");

        assertThat(location.bucket()).isEqualTo("blobs");
        assertThat(location.prefix()).isEqualTo("parley/chat files");
        assertThat(location.endpoint()).contains(URI.create("https://minio.internal:9000"));
        assertThat(location.region()).isEqualTo("garage");
        assertThat(location.pathStyle()).isTrue();
        assertThat(location.publicEndpoint()).contains(URI.create("https://files.example.com"));
        assertThat(location.linkEndpoint()).as("links name the public endpoint").isEqualTo(location.publicEndpoint());
        assertThat(location.objectName("abc")).isEqualTo("parley/chat files/abc");
        assertThat(location).hasToString("s3://blobs/parley/chat files");
    }

    @Test
    void withoutAPublicEndpointLinksNameTheEndpoint() {
        S3Location location = S3Location.parse("s3://blobs?endpoint=http://minio:9000");
        assertThat(location.linkEndpoint()).contains(URI.create("http://minio:9000"));
    }

    @Test
    void theEndpointMayBeWrittenUnescaped() {
        assertThat(S3Location.parse("s3://blobs?endpoint=http://127.0.0.1:9000&path_style=false").endpoint())
                .contains(URI.create("http://127.0.0.1:9000"));
    }

    @Test
    void mistakesAreRefusedWithTheReason() {
        assertRefused("s3://", "expected s3://bucket");
        assertRefused("s3:bucket", "expected s3://bucket");
        assertRefused("s3://bucket:9000", "not a bucket name");
        assertRefused("s3://bucket?path_style=yes", "path_style must be true or false");
        assertRefused("s3://bucket?pathstyle=true", "unknown parameter \"pathstyle\"");
        assertRefused("s3://bucket?region=", "region is blank");
        assertRefused("s3://bucket?region=a&region=b", "appears twice");
        assertRefused("s3://bucket?endpoint=ftp://files.example.com", "http:// or https://");
        assertRefused("s3://bucket?endpoint=minio:9000", "http:// or https://");
        assertRefused("s3://bucket?public_endpoint=files.example.com", "public_endpoint must be an http:// or https://");
        assertRefused("s3://bucket#x", "fragment");
        assertRefused("s3://bucket with space", "not a URL");
    }

    @Test
    void credentialsInTheUrlAreRefusedWithoutRepeatingThem() {
        assertThatThrownBy(() -> S3Location.parse("s3://AKIAEXAMPLE:s3cr3t@bucket"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("AWS_ACCESS_KEY_ID")
                .hasMessageNotContaining("s3cr3t");
        assertThatThrownBy(() -> S3Location.parse("s3://bucket?endpoint=http://minio:s3cr3t@minio:9000"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("AWS_ACCESS_KEY_ID")
                .hasMessageNotContaining("s3cr3t");
    }

    private static void assertRefused(String url, String reason) {
        assertThatThrownBy(() -> S3Location.parse(url)).as(url)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }
}
