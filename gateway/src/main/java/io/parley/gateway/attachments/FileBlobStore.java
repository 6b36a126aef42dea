package io.parley.gateway.attachments;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Attachments as files under one directory, for a single node (the zero-config default is
 * {@code <data_dir>/attachments}). A blob lives at {@code <root>/<first two characters of the
 * key>/<key>}, so no directory collects every file. Downloads are served by the node itself.
 */
public final class FileBlobStore implements BlobStore {
    /** Prefix of copies in progress: never a key ({@code .} is not in the key alphabet). */
    private static final String PARTIAL_PREFIX = ".partial-";

    private final Path root;

    /** A store under {@code root}; the directory is created with the first blob. */
    public FileBlobStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The directory the blobs live under. */
    public Path root() {
        return root;
    }

    @Override
    public void put(String key, Path source, String mediaType, long size) throws IOException {
        Path target = fileOf(key);
        Files.createDirectories(target.getParent());
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            // The upload was spooled on another file system (a tmpfs, another volume).
            moveByCopy(source, target);
        }
    }

    /**
     * Copies {@code source} next to {@code target} under a name no key has, renames the copy into
     * place, then deletes the source: a crash part-way leaves no half blob under the key.
     */
    static void moveByCopy(Path source, Path target) throws IOException {
        Path partial = Files.createTempFile(target.getParent(), PARTIAL_PREFIX, ".tmp");
        try {
            Files.copy(source, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
        Files.delete(source);
    }

    @Override
    public Download download(String key, String mediaType, String fileName) throws IOException {
        Path file = fileOf(key);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no blob under key " + key);
        }
        return new Download.LocalFile(file);
    }

    /**
     * Deletes the file; its sub-directory stays, since a put may be about to move a file into it
     * (the directories are bounded by the key alphabet anyway).
     */
    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(fileOf(key));
    }

    @Override
    public String describe() {
        return "files:" + root;
    }

    /** Nothing to release: every call opens and closes its own files. */
    @Override
    public void close() {
    }

    private Path fileOf(String key) {
        BlobKeys.checked(key);
        return root.resolve(key.substring(0, Math.min(2, key.length()))).resolve(key);
    }
}
