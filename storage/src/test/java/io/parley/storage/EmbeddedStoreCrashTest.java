package io.parley.storage;

import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nothing acknowledged is lost when the process dies: rounds of a writer process ({@link
 * CrashingWriter}) killed with SIGKILL at a random moment, on one data directory, each followed by
 * the checks. H2 alone loses what its background writer had not written yet (counted, so the test
 * shows the journal was needed); after the store opens (and replays its journal) every
 * acknowledged message is there with the sequence it was acknowledged with, every chat's
 * sequences run 1..n without a gap, and a repeated send of a replayed message finds it.
 */
class EmbeddedStoreCrashTest {

    private static final int ROUNDS = 4;
    private static final int CHATS = 8;

    @TempDir
    Path dataDir;

    /** What the writer acknowledged: message id to chat and sequence. */
    private final Map<Long, Acked> acked = new HashMap<>();

    private record Acked(String chatId, long seq, String clientMessageId) {
    }

    @Test
    void everyAcknowledgedAppendSurvivesSigkill() throws Exception {
        long seed = System.nanoTime() & 0xffff;
        Random random = new Random(seed);
        int missingFromH2Alone = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            int ackedBefore = acked.size();
            runAndKill(seed * 10 + round, 300 + random.nextInt(1_200));
            assertThat(acked.size()).as("round %d (seed %d): the writer acknowledged appends", round, seed)
                    .isGreaterThan(ackedBefore);
            missingFromH2Alone += missingWithoutReplay();
            checkStore(round, seed);
        }
        // H2 commits without forcing its file and writes within half a second; a kill in the middle
        // of a stream of commits finds some not yet written, and only the journal has them.
        assertThat(missingFromH2Alone).as("acknowledged messages H2 alone had lost (seed %d)", seed).isPositive();
    }

    /** Starts the writer, takes its acknowledgements for {@code millis}, kills it and reads the rest. */
    private void runAndKill(long seed, long millis) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", classpath, CrashingWriter.class.getName(), dataDir.toString(),
                Integer.toString(CHATS), Long.toString(seed))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            awaitReady(lines);
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(millis);
                    // SIGKILL: no shutdown hook, no close. Not destroyForcibly(), which also closes
                    // the pipe this thread's caller still reads the last acknowledgements from.
                    new ProcessBuilder("kill", "-KILL", Long.toString(process.pid())).start().waitFor();
                } catch (IOException e) { // no kill(1): the pipe closes, the acknowledgements read so far stand
                    process.destroyForcibly();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            killer.start();
            String line;
            while ((line = lines.readLine()) != null) { // what it printed before it died: all acknowledged
                record(line);
            }
        } finally {
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    private void awaitReady(BufferedReader lines) throws IOException {
        String line;
        while ((line = lines.readLine()) != null) {
            if (line.equals(CrashingWriter.READY)) {
                return;
            }
        }
        throw new IllegalStateException("the writer exited before it was ready");
    }

    private void record(String line) {
        String[] parts = line.split(" ");
        if (parts.length == 5 && parts[0].equals("ack")) {
            acked.put(Long.parseLong(parts[1]), new Acked(parts[2], Long.parseLong(parts[3]),
                    parts[4].equals("-") ? null : parts[4]));
        }
    }

    /** Opens H2 by itself (no journal) and counts the acknowledged messages it does not have. */
    private int missingWithoutReplay() throws Exception {
        int missing = 0;
        try (Connection c = DriverManager.getConnection(DataSources.h2Url(dataDir), "sa", "");
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM messages WHERE id = ?")) {
            for (long id : acked.keySet()) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        missing++;
                    }
                }
            }
        }
        return missing;
    }

    private void checkStore(int round, long seed) {
        try (JdbcHistoryStore store = JdbcHistoryStore.embedded(dataDir)) {
            long newestWithClientId = 0;
            for (Map.Entry<Long, Acked> entry : acked.entrySet()) {
                Message stored = store.findMessage(entry.getKey()).orElse(null);
                assertThat(stored).as("round %d (seed %d): acknowledged message %d", round, seed, entry.getKey())
                        .isNotNull();
                assertThat(stored.chatId()).isEqualTo(entry.getValue().chatId());
                assertThat(stored.seq()).as("sequence of message %d", entry.getKey()).isEqualTo(entry.getValue().seq());
                if (entry.getValue().clientMessageId() != null) {
                    newestWithClientId = Math.max(newestWithClientId, entry.getKey());
                }
            }
            for (int i = 0; i < CHATS; i++) {
                List<Message> history = store.after(CrashingWriter.chatId(i), 0, 1_000_000);
                for (int k = 0; k < history.size(); k++) {
                    assertThat(history.get(k).seq()).as("round %d (seed %d): chat %d, position %d", round, seed, i, k)
                            .isEqualTo(k + 1L);
                }
            }
            // The newest acknowledged send with a client id (the likeliest to have been replayed),
            // repeated: answered with the stored message, not stored again.
            Acked original = acked.get(newestWithClientId);
            List<Message> answer = store.append(List.of(new NewMessage(-newestWithClientId, original.chatId(),
                    CrashingWriter.SENDER, "repeated", ContentType.TEXT, null, Instant.now(),
                    original.clientMessageId())));
            assertThat(answer.get(0).id()).as("round %d: repeat of message %d", round, newestWithClientId)
                    .isEqualTo(newestWithClientId);
            assertThat(answer.get(0).seq()).isEqualTo(original.seq());
        }
    }
}
