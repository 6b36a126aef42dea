package io.parley.storage;

/**
 * Brackets the completions of one group commit on its writer thread: whatever the append
 * futures' callbacks do between {@link #opening()} and {@link #closing()} comes from one commit,
 * so the caller can send its side effects together (one task per event loop, one bus
 * publication) instead of one wake-up of another thread per message. Both run on the writer
 * thread, {@link #closing()} also when a callback failed; they must not block.
 */
public interface CommitBracket {
    CommitBracket NONE = new CommitBracket() {
        @Override
        public void opening() {
        }

        @Override
        public void closing() {
        }
    };

    /** Before the first future of a commit (or of a failed batch) completes. */
    void opening();

    /** After the last one completed. */
    void closing();
}
