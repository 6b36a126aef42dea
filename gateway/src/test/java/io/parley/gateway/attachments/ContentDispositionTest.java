package io.parley.gateway.attachments;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ContentDispositionTest {
    @Test
    void rasterImagesAreShownEverythingElseIsSaved() {
        assertThat(ContentDisposition.of("image/png", "cat.png")).startsWith("inline;");
        assertThat(ContentDisposition.of("IMAGE/JPEG; q=1", "cat.jpg")).startsWith("inline;");
        assertThat(ContentDisposition.of("image/svg+xml", "logo.svg")).startsWith("attachment;");
        assertThat(ContentDisposition.of("text/html", "page.html")).startsWith("attachment;");
        assertThat(ContentDisposition.of(null, "blob")).startsWith("attachment;");
    }

    @Test
    void theNameIsGivenAsAsciiAndExactlyAsUtf8() {
        assertThat(ContentDisposition.of("application/pdf", "Bericht März 2024.pdf"))
                .isEqualTo("attachment; filename=\"Bericht M_rz 2024.pdf\"; "
                        + "filename*=UTF-8''Bericht%20M%C3%A4rz%202024.pdf");
        assertThat(ContentDisposition.of("image/png", "猫.png"))
                .isEqualTo("inline; filename=\"_.png\"; filename*=UTF-8''%E7%8C%AB.png");
    }

    @Test
    void quotesLineBreaksAndPathsCannotEscapeTheHeader() {
        assertThat(ContentDisposition.of("text/plain", "a\"b\r\nSet-Cookie: x=1;/../..\\etc%41.txt"))
                .isEqualTo("attachment; filename=\"a_bSet-Cookie: x=1;_.._.._etc_41.txt\"; "
                        + "filename*=UTF-8''a%22bSet-Cookie%3A%20x%3D1%3B_.._.._etc%2541.txt");
    }

    @Test
    void withoutANameOnlyTheDispositionIsGiven() {
        assertThat(ContentDisposition.of("text/plain", null)).isEqualTo("attachment");
        assertThat(ContentDisposition.of("image/gif", " \n ")).isEqualTo("inline");
    }
}
