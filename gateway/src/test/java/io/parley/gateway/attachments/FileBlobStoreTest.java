package io.parley.gateway.attachments;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

class FileBlobStoreTest {
    @TempDir
    Path temp;

    @Test
    void putMovesTheUploadInCreatingTheDirectoriesAndDownloadServesIt() throws IOException {
        Path root = temp.resolve("data").resolve("attachments");
        FileBlobStore store = new FileBlobStore(root);
        Path upload = upload("spooled", "hello attachments");

        store.put("Ab3_x-y", upload, "text/plain", 17);

        assertThat(upload).doesNotExist();
        BlobStore.Download download = store.download("Ab3_x-y", "text/plain", "hello.txt");
        assertThat(download).isInstanceOf(BlobStore.Download.LocalFile.class);
        Path file = ((BlobStore.Download.LocalFile) download).file();
        assertThat(file).isEqualTo(root.resolve("Ab").resolve("Ab3_x-y"));
        assertThat(file).hasContent("hello attachments");
    }

    @Test
    void keysAreSpreadOverDirectoriesByTheirFirstTwoCharacters() throws IOException {
        FileBlobStore store = new FileBlobStore(temp.resolve("blobs"));
        store.put("aa1", upload("1", "one"), "text/plain", 3);
        store.put("aa2", upload("2", "two"), "text/plain", 3);
        store.put("zz1", upload("3", "three"), "text/plain", 5);
        store.put("q", upload("4", "short key"), "text/plain", 9);

        try (Stream<Path> directories = Files.list(store.root())) {
            assertThat(directories.map(path -> path.getFileName().toString())).containsExactlyInAnyOrder("aa", "zz", "q");
        }
        assertThat(store.root().resolve("aa").resolve("aa2")).hasContent("two");
        assertThat(store.root().resolve("q").resolve("q")).hasContent("short key");
    }

    @Test
    void aSecondPutUnderTheSameKeyReplacesTheBlob() throws IOException {
        FileBlobStore store = new FileBlobStore(temp.resolve("blobs"));
        store.put("key1", upload("first", "first"), "text/plain", 5);
        store.put("key1", upload("second", "second"), "text/plain", 6);

        assertThat(((BlobStore.Download.LocalFile) store.download("key1", "text/plain", null)).file()).hasContent("second");
    }

    @Test
    void aMissingBlobIsNoSuchFile() {
        FileBlobStore store = new FileBlobStore(temp.resolve("blobs"));

        assertThatThrownBy(() -> store.download("nothing", "image/png", "a.png")).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void deleteRemovesTheBlobAndMayBeRepeated() throws IOException {
        FileBlobStore store = new FileBlobStore(temp.resolve("blobs"));
        store.put("gone", upload("u", "bytes"), "application/pdf", 5);

        store.delete("gone");
        store.delete("gone");
        store.delete("never-there");

        assertThat(store.root().resolve("go").resolve("gone")).doesNotExist();
        assertThatThrownBy(() -> store.download("gone", "application/pdf", "a.pdf")).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void keysOutsideTheAlphabetAreRefusedByEveryMethod() throws IOException {
        FileBlobStore store = new FileBlobStore(temp.resolve("blobs"));
        Path upload = upload("u", "bytes");
        String tooLong = "k".repeat(65);
        for (String key : new String[] {"", "../escape", "a/b", "a.b", "x y", "ключ", tooLong, null}) {
            assertThatThrownBy(() -> store.put(key, upload, "text/plain", 5)).as("put %s", key)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.download(key, "text/plain", null)).as("download %s", key)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.delete(key)).as("delete %s", key)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(upload).as("a refused put leaves the upload alone").exists();
        assertThat(temp.resolve("blobs")).doesNotExist();

        store.put("k".repeat(64), upload, "text/plain", 5);
        assertThat(store.root().resolve("kk").resolve("k".repeat(64))).hasContent("bytes");
    }

    @Test
    void withoutAnAtomicMoveTheBlobIsCopiedInWholeAndTheUploadDeleted() throws IOException {
        Path directory = Files.createDirectories(temp.resolve("blobs").resolve("ke"));
        Path upload = upload("u", "copied across file systems");

        FileBlobStore.moveByCopy(upload, directory.resolve("key"));

        assertThat(upload).doesNotExist();
        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files).as("no partial copy left behind").containsExactly(directory.resolve("key"));
        }
        assertThat(directory.resolve("key")).hasContent("copied across file systems");
    }

    @Test
    void anUploadOnAnotherFileSystemIsMovedIn() throws IOException {
        Path shm = Path.of("/dev/shm");
        assumeThat(Files.isDirectory(shm) && Files.isWritable(shm)).as("a tmpfs at /dev/shm").isTrue();
        assumeThat(Files.getFileStore(shm)).as("on another file system than the temp directory")
                .isNotEqualTo(Files.getFileStore(temp));
        Path upload = Files.createTempFile(shm, "parley-upload-", ".tmp");
        try {
            Files.writeString(upload, "from tmpfs");
            FileBlobStore store = new FileBlobStore(temp.resolve("blobs"));

            store.put("tmpfs", upload, "text/plain", 10);

            assertThat(upload).doesNotExist();
            assertThat(store.root().resolve("tm").resolve("tmpfs")).hasContent("from tmpfs");
        } finally {
            Files.deleteIfExists(upload);
        }
    }

    @Test
    void describesItselfByItsDirectory() {
        FileBlobStore store = new FileBlobStore(temp.resolve("blobs"));

        assertThat(store.describe()).isEqualTo("files:" + temp.resolve("blobs").toAbsolutePath());
    }

    private Path upload(String name, String content) throws IOException {
        return Files.writeString(temp.resolve(name + ".upload"), content, StandardCharsets.UTF_8);
    }
}
