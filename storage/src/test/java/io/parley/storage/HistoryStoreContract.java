package io.parley.storage;

import io.parley.protocol.model.Attachment;
import io.parley.protocol.model.Chat;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewChat;
import io.parley.protocol.model.NewMessage;
import io.parley.protocol.model.UnreadCount;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every {@link HistoryStore} must have. A backend's test extends this class and
 * supplies {@link #newStore()}; the gateway's tests and later backends reuse it from the test jar.
 *
 * <p>The tests use fresh random ids, so they also pass on a database that other tests have
 * written to (they never assume an empty table).
 */
public abstract class HistoryStoreContract {

    /** A moment with nanoseconds, so every write also checks the microsecond truncation. */
    protected static final Instant T0 = Instant.parse("2026-03-04T05:06:07.123456789Z");

    private static final AtomicLong MESSAGE_IDS =
            new AtomicLong(System.currentTimeMillis() * 1_000 + ThreadLocalRandom.current().nextInt(1_000));

    protected HistoryStore store;

    /** A store on a migrated database; closed after each test. */
    protected abstract HistoryStore newStore();

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    // ---- chats ------------------------------------------------------------------------------

    @Test
    void createChatIfAbsentCreatesOnceAndReturnsTheStoredChat() {
        String id = id("chat");
        Chat created = store.createChatIfAbsent(new NewChat(id, ChatKind.GROUP, "alice", null, "Team",
                Set.of("alice", "bob"), T0));

        assertThat(created.id()).isEqualTo(id);
        assertThat(created.kind()).isEqualTo(ChatKind.GROUP);
        assertThat(created.ownerId()).isEqualTo("alice");
        assertThat(created.applicationId()).isNull();
        assertThat(created.title()).isEqualTo("Team");
        assertThat(created.number()).isPositive();
        assertThat(created.createdAt()).isEqualTo(micros(T0));
        assertThat(created.updatedAt()).isEqualTo(micros(T0));
        assertThat(store.members(id)).containsExactlyInAnyOrder("alice", "bob");

        Chat again = store.createChatIfAbsent(new NewChat(id, ChatKind.PROJECT, "carol", null, "Other",
                Set.of("carol"), T0.plusSeconds(60)));
        assertThat(again).isEqualTo(created);
        assertThat(store.members(id)).containsExactlyInAnyOrder("alice", "bob");
        assertThat(store.findChat(id)).contains(created);
    }

    @Test
    void chatNumbersAreUnique() {
        Chat a = newGroup(user(), user());
        Chat b = newGroup(user(), user());
        assertThat(a.number()).isNotEqualTo(b.number());
    }

    @Test
    void createChatIfAbsentIsRaceSafe() throws Exception {
        String id = id("race");
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Chat>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String member = "user" + i;
                results.add(pool.submit(() -> {
                    start.await();
                    return store.createChatIfAbsent(new NewChat(id, ChatKind.GROUP, member, null, null,
                            Set.of(member), T0));
                }));
            }
            start.countDown();
            List<Chat> chats = new ArrayList<>();
            for (Future<Chat> result : results) {
                chats.add(result.get(30, TimeUnit.SECONDS));
            }
            assertThat(chats).allSatisfy(chat -> assertThat(chat).isEqualTo(chats.get(0)));
            // Exactly the winner's members: the losers inserted nothing.
            assertThat(store.members(id)).containsExactly(chats.get(0).ownerId());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void findChatOfUnknownIdIsEmpty() {
        assertThat(store.findChat(id("nope"))).isEmpty();
    }

    @Test
    void findChatByApplication() {
        long applicationId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        String customer = user();
        Chat support = store.createChatIfAbsent(new NewChat(Long.toString(applicationId), ChatKind.SUPPORT, customer,
                applicationId, null, Set.of(customer), T0));

        assertThat(support.applicationId()).isEqualTo(applicationId);
        assertThat(store.findChatByApplication(applicationId)).contains(support);
        assertThat(store.findChatByApplication(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE))).isEmpty();
    }

    @Test
    void aSecondChatForOneApplicationIsRefused() {
        long applicationId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        store.createChatIfAbsent(new NewChat(id("first"), ChatKind.SUPPORT, "c", applicationId, null, Set.of("c"), T0));

        assertThatThrownBy(() -> store.createChatIfAbsent(
                new NewChat(id("second"), ChatKind.SUPPORT, "c", applicationId, null, Set.of("c"), T0)))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("application " + applicationId);
    }

    @Test
    void membersAndAddMember() {
        String alice = user();
        String bob = user();
        Chat chat = newGroup(alice);

        store.addMember(chat.id(), bob);
        store.addMember(chat.id(), bob); // no-op

        assertThat(store.members(chat.id())).containsExactlyInAnyOrder(alice, bob);
        assertThat(store.members(id("unknown"))).isEmpty();
        assertThatThrownBy(() -> store.addMember(id("unknown"), alice)).isInstanceOf(UnknownChatException.class);
    }

    @Test
    void chatsOfListsTheUsersChatsMostRecentlyUpdatedFirst() {
        String alice = user();
        Chat first = newGroupAt(T0, alice);
        Chat second = newGroupAt(T0.plusSeconds(1), alice);
        Chat third = newGroupAt(T0.plusSeconds(2), alice);
        newGroupAt(T0.plusSeconds(3), user()); // not alice's

        assertThat(ids(store.chatsOf(alice, 10))).containsExactly(third.id(), second.id(), first.id());

        store.append(List.of(message(first.id(), alice, "bump", T0.plusSeconds(4))));
        assertThat(ids(store.chatsOf(alice, 10))).containsExactly(first.id(), third.id(), second.id());
        assertThat(ids(store.chatsOf(alice, 2))).containsExactly(first.id(), third.id());
        assertThat(store.chatsOf(user(), 10)).isEmpty();
    }

    @Test
    void contactsOfAreTheOtherMembersOfTheUsersChatsEachOnce() {
        String alice = user();
        String bob = user();
        String carol = user();
        String dave = user();
        newGroup(alice, bob, carol);
        newGroup(alice, bob, dave);
        newGroup(alice);
        newGroup(user(), user(), bob); // bob's, not alice's

        assertThat(store.contactsOf(alice, 10)).containsExactlyInAnyOrder(bob, carol, dave);
        assertThat(store.contactsOf(dave, 10)).containsExactlyInAnyOrder(alice, bob);
        assertThat(store.contactsOf(user(), 10)).isEmpty();
    }

    @Test
    void contactsOfLookOnlyAtTheMostRecentlyUpdatedChats() {
        String alice = user();
        String bob = user();
        String carol = user();
        String dave = user();
        Chat withBob = newGroupAt(T0, alice, bob);
        newGroupAt(T0.plusSeconds(1), alice, carol);
        newGroupAt(T0.plusSeconds(2), alice, dave);

        assertThat(store.contactsOf(alice, 2)).containsExactlyInAnyOrder(carol, dave);

        store.append(List.of(message(withBob.id(), bob, "bump", T0.plusSeconds(3))));
        assertThat(store.contactsOf(alice, 2)).containsExactlyInAnyOrder(bob, dave);
        assertThat(store.contactsOf(alice, 1)).containsExactly(bob);
        assertThat(store.contactsOf(alice, 3)).containsExactlyInAnyOrder(bob, carol, dave);
    }

    @Test
    void chatsOfKindListsNewestFirst() {
        String owner = user();
        Chat older = store.createChatIfAbsent(new NewChat(id("b"), ChatKind.BOOKING, owner, null, null,
                Set.of(owner), T0));
        Chat newer = store.createChatIfAbsent(new NewChat(id("b"), ChatKind.BOOKING, owner, null, null,
                Set.of(owner), T0.plusSeconds(5)));
        newGroupAt(T0.plusSeconds(10), owner); // another kind

        List<Chat> bookings = store.chatsOfKind(ChatKind.BOOKING, 1_000);
        assertThat(bookings).allSatisfy(c -> assertThat(c.kind()).isEqualTo(ChatKind.BOOKING));
        assertThat(ids(bookings).stream().filter(i -> i.equals(older.id()) || i.equals(newer.id())))
                .containsExactly(newer.id(), older.id());
        assertThat(store.chatsOfKind(ChatKind.BOOKING, 1)).hasSize(1);
    }

    // ---- append -----------------------------------------------------------------------------

    @Test
    void appendAssignsConsecutiveSequencesPerChatInBatchOrder() {
        String alice = user();
        Chat a = newGroup(alice);
        Chat b = newGroup(alice);
        Chat c = newGroup(alice);
        List<NewMessage> batch = List.of(
                message(a.id(), alice, "a1", T0), message(b.id(), alice, "b1", T0), message(a.id(), alice, "a2", T0),
                message(c.id(), alice, "c1", T0), message(b.id(), alice, "b2", T0), message(a.id(), alice, "a3", T0));

        List<Message> committed = store.append(batch);

        assertThat(committed).extracting(Message::content).containsExactly("a1", "b1", "a2", "c1", "b2", "a3");
        assertThat(committed).extracting(Message::seq).containsExactly(1L, 1L, 2L, 1L, 2L, 3L);
        assertThat(committed).extracting(Message::id).containsExactlyElementsOf(
                batch.stream().map(NewMessage::id).toList());

        List<Message> next = store.append(List.of(message(b.id(), alice, "b3", T0), message(a.id(), alice, "a4", T0)));
        assertThat(next).extracting(Message::seq).containsExactly(3L, 4L);
        assertThat(store.after(a.id(), 0, 10)).extracting(Message::content).containsExactly("a1", "a2", "a3", "a4");
    }

    @Test
    void appendReturnsWhatIsStored() {
        String alice = user();
        Chat chat = newGroup(alice);
        Message reply = store.append(List.of(message(chat.id(), alice, "hi", T0))).get(0);
        NewMessage image = new NewMessage(MESSAGE_IDS.incrementAndGet(), chat.id(), alice, "https://x/y.png",
                ContentType.IMAGE, reply.id(), T0.plusMillis(1));

        Message committed = store.append(List.of(image)).get(0);

        assertThat(committed.contentType()).isEqualTo(ContentType.IMAGE);
        assertThat(committed.replyTo()).isEqualTo(reply.id());
        assertThat(committed.createdAt()).isEqualTo(micros(T0.plusMillis(1)));
        assertThat(committed.updatedAt()).isEqualTo(committed.createdAt());
        assertThat(committed.deleted()).isFalse();
        assertThat(committed.edited()).isFalse();
        assertThat(store.findMessage(committed.id())).contains(committed);
        assertThat(store.findMessage(reply.id())).contains(reply);
        assertThat(store.findMessage(MESSAGE_IDS.incrementAndGet())).isEmpty();
    }

    @Test
    void appendBumpsTheChatsUpdatedAt() {
        String alice = user();
        Chat chat = newGroupAt(T0, alice);
        store.append(List.of(message(chat.id(), alice, "later", T0.plusSeconds(30))));
        assertThat(store.findChat(chat.id()).orElseThrow().updatedAt()).isEqualTo(micros(T0.plusSeconds(30)));
    }

    @Test
    void appendToAnUnknownChatRollsBackTheWholeBatch() {
        String alice = user();
        Chat chat = newGroup(alice);
        List<NewMessage> batch = List.of(message(chat.id(), alice, "lost", T0),
                message(id("missing"), alice, "nowhere", T0));

        assertThatThrownBy(() -> store.append(batch)).isInstanceOf(UnknownChatException.class)
                .hasMessageContaining("missing");

        assertThat(store.after(chat.id(), 0, 10)).isEmpty();
        assertThat(store.findMessage(batch.get(0).id())).isEmpty();
        assertThat(store.append(List.of(message(chat.id(), alice, "first", T0))).get(0).seq()).isEqualTo(1);
    }

    @Test
    void appendOfNothingIsNothing() {
        assertThat(store.append(List.of())).isEmpty();
    }

    // ---- reading history --------------------------------------------------------------------

    @Test
    void pagePagesBackwardsWithBeforeMessageIdAndLimit() {
        String alice = user();
        Chat chat = newGroup(alice);
        List<Message> all = appendNumbered(chat, alice, 10);

        List<Message> newest = store.page(chat.id(), null, 3);
        assertThat(newest).extracting(Message::seq).containsExactly(8L, 9L, 10L);

        List<Message> older = store.page(chat.id(), newest.get(0).id(), 3);
        assertThat(older).extracting(Message::seq).containsExactly(5L, 6L, 7L);

        assertThat(store.page(chat.id(), all.get(1).id(), 3)).extracting(Message::seq).containsExactly(1L);
        assertThat(store.page(chat.id(), all.get(0).id(), 3)).isEmpty();
        assertThat(store.page(chat.id(), null, 100)).containsExactlyElementsOf(all);
        assertThat(store.page(chat.id(), MESSAGE_IDS.incrementAndGet(), 3)).isEmpty();
        assertThat(store.page(id("empty"), null, 3)).isEmpty();
    }

    @Test
    void pageIgnoresABeforeIdFromAnotherChat() {
        String alice = user();
        Chat chat = newGroup(alice);
        Chat other = newGroup(alice);
        appendNumbered(chat, alice, 3);
        Message foreign = appendNumbered(other, alice, 3).get(2);

        assertThat(store.page(chat.id(), foreign.id(), 10)).isEmpty();
    }

    @Test
    void pageIncludesDeletedMessagesWithEmptyContent() {
        String alice = user();
        Chat chat = newGroup(alice);
        List<Message> all = appendNumbered(chat, alice, 3);
        store.softDelete(all.get(1).id(), T0.plusSeconds(1));

        assertThat(store.page(chat.id(), null, 10)).extracting(Message::content).containsExactly("m1", "", "m3");
    }

    @Test
    void afterReturnsMessagesAfterASequence() {
        String alice = user();
        Chat chat = newGroup(alice);
        appendNumbered(chat, alice, 10);

        assertThat(store.after(chat.id(), 7, 10)).extracting(Message::seq).containsExactly(8L, 9L, 10L);
        assertThat(store.after(chat.id(), 0, 2)).extracting(Message::seq).containsExactly(1L, 2L);
        assertThat(store.after(chat.id(), 10, 10)).isEmpty();
    }

    @Test
    void limitsBelowOneAreRefused() {
        assertThatThrownBy(() -> store.page("x", null, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0");
        assertThatThrownBy(() -> store.after("x", 0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.chatsOf("x", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.contactsOf("x", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- read state -------------------------------------------------------------------------

    @Test
    void readCursorNeverMovesBackwards() {
        String alice = user();
        String bob = user();
        Chat chat = newGroup(alice, bob);

        assertThat(store.readCursors(chat.id())).isEmpty();
        assertThat(store.advanceReadCursor(chat.id(), alice, 5)).isTrue();
        assertThat(store.advanceReadCursor(chat.id(), alice, 3)).isFalse();
        assertThat(store.advanceReadCursor(chat.id(), alice, 5)).isFalse();
        assertThat(store.advanceReadCursor(chat.id(), bob, 2)).isTrue();
        assertThat(store.readCursors(chat.id())).isEqualTo(Map.of(alice, 5L, bob, 2L));

        assertThat(store.advanceReadCursor(chat.id(), alice, 7)).isTrue();
        assertThat(store.readCursors(chat.id())).containsEntry(alice, 7L);
    }

    @Test
    void readCursorInAnUnknownChatIsRefused() {
        assertThatThrownBy(() -> store.advanceReadCursor(id("unknown"), user(), 1))
                .isInstanceOf(UnknownChatException.class);
    }

    @Test
    void readCursorIsRaceSafe() throws Exception {
        String alice = user();
        Chat chat = newGroup(alice);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 1; i <= 8; i++) {
                long seq = i;
                results.add(pool.submit(() -> {
                    start.await();
                    return store.advanceReadCursor(chat.id(), alice, seq);
                }));
            }
            start.countDown();
            for (Future<Boolean> result : results) {
                result.get(30, TimeUnit.SECONDS);
            }
            assertThat(store.readCursors(chat.id())).isEqualTo(Map.of(alice, 8L));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unreadCountsExcludeOwnAndDeletedMessagesAndReadOnes() {
        String alice = user();
        String bob = user();
        Chat busy = newGroup(alice, bob);
        Chat quiet = newGroup(alice, bob);
        Chat ownOnly = newGroup(alice, bob);

        List<Message> m = store.append(List.of(
                message(busy.id(), bob, "1", T0),      // read by alice below
                message(busy.id(), bob, "2", T0),
                message(busy.id(), alice, "3", T0),    // alice's own
                message(busy.id(), bob, "4", T0),      // deleted below
                message(busy.id(), bob, "5", T0),
                message(quiet.id(), bob, "q1", T0),    // read by alice below
                message(ownOnly.id(), alice, "o1", T0)));
        store.advanceReadCursor(busy.id(), alice, m.get(0).seq());
        store.advanceReadCursor(quiet.id(), alice, m.get(5).seq());
        store.softDelete(m.get(3).id(), T0.plusSeconds(1));

        assertThat(store.unreadCounts(alice)).containsExactly(new UnreadCount(busy.id(), 2));
        assertThat(store.unreadCounts(bob)).containsExactlyInAnyOrder(
                new UnreadCount(busy.id(), 1), new UnreadCount(ownOnly.id(), 1));
        assertThat(store.unreadCounts(user())).isEmpty();
    }

    // ---- edit and delete --------------------------------------------------------------------

    @Test
    void editReplacesContentAndMarksEdited() {
        String alice = user();
        Chat chat = newGroup(alice);
        Message original = store.append(List.of(message(chat.id(), alice, "helo", T0))).get(0);
        Instant at = T0.plusSeconds(9);

        Message edited = store.edit(original.id(), "hello", at).orElseThrow();

        assertThat(edited.content()).isEqualTo("hello");
        assertThat(edited.edited()).isTrue();
        assertThat(edited.updatedAt()).isEqualTo(micros(at));
        assertThat(edited.createdAt()).isEqualTo(original.createdAt());
        assertThat(edited.seq()).isEqualTo(original.seq());
        assertThat(store.findMessage(original.id())).contains(edited);
        assertThat(store.edit(MESSAGE_IDS.incrementAndGet(), "x", at)).isEmpty();
    }

    @Test
    void softDeleteEmptiesContentAndIsIdempotent() {
        String alice = user();
        Chat chat = newGroup(alice);
        Message original = store.append(List.of(message(chat.id(), alice, "oops", T0))).get(0);
        Instant at = T0.plusSeconds(3);

        Message deleted = store.softDelete(original.id(), at).orElseThrow();

        assertThat(deleted.content()).isEmpty();
        assertThat(deleted.deleted()).isTrue();
        assertThat(deleted.updatedAt()).isEqualTo(micros(at)).isNotEqualTo(original.updatedAt());
        assertThat(store.findMessage(original.id())).contains(deleted);
        assertThat(store.softDelete(original.id(), at.plusSeconds(5))).contains(deleted);
        assertThat(store.edit(original.id(), "revived", at.plusSeconds(6))).isEmpty();
        assertThat(store.softDelete(MESSAGE_IDS.incrementAndGet(), at)).isEmpty();
    }

    // ---- values and health ------------------------------------------------------------------

    @Test
    void instantsRoundTripAtMicrosecondPrecision() {
        String alice = user();
        Instant odd = Instant.parse("2031-12-31T23:59:59.999999999Z");
        Chat chat = newGroupAt(odd, alice);
        Message written = store.append(List.of(message(chat.id(), alice, "t", odd))).get(0);

        assertThat(chat.createdAt()).isEqualTo(Instant.parse("2031-12-31T23:59:59.999999Z"));
        assertThat(written.createdAt()).isEqualTo(chat.createdAt());
        assertThat(store.findChat(chat.id()).orElseThrow().createdAt()).isEqualTo(chat.createdAt());
        assertThat(store.findMessage(written.id()).orElseThrow()).isEqualTo(written);
    }

    @Test
    void textRoundTripsUnchanged() {
        String alice = user();
        Chat chat = newGroup(alice);
        String text = "Привет, 世界 👋 'quotes' \"double\" \\ back\nnew line\ttab %_ like";
        Message written = store.append(List.of(message(chat.id(), alice, text, T0))).get(0);
        assertThat(store.findMessage(written.id()).orElseThrow().content()).isEqualTo(text);
    }

    // ---- repeated sends (client message ids) -------------------------------------------------

    @Test
    void aRepeatedSendIsAnsweredWithTheStoredMessageAndNumberedOnce() {
        String alice = user();
        Chat chat = newGroup(alice, user());
        Message first = store.append(List.of(withClientId(message(chat.id(), alice, "hi", T0), "c-1"))).get(0);
        Message between = store.append(List.of(message(chat.id(), alice, "no client id", T0))).get(0);

        // A retry in a later batch (another id, another content: the first send wins), beside a new send.
        NewMessage retry = withClientId(message(chat.id(), alice, "hi, again", T0.plusSeconds(1)), "c-1");
        NewMessage next = withClientId(message(chat.id(), alice, "next", T0.plusSeconds(1)), "c-2");
        List<Message> answered = store.append(List.of(retry, next));

        assertThat(answered.get(0)).isEqualTo(first);
        assertThat(answered.get(1).seq()).as("no gap where the repeat was").isEqualTo(between.seq() + 1);
        assertThat(store.after(chat.id(), 0, 10)).extracting(Message::content).containsExactly("hi", "no client id", "next");
    }

    @Test
    void repeatsWithinOneBatchAreStoredOnce() {
        String alice = user();
        Chat chat = newGroup(alice);
        List<Message> answered = store.append(List.of(
                withClientId(message(chat.id(), alice, "a", T0), "same"),
                message(chat.id(), alice, "b", T0),
                withClientId(message(chat.id(), alice, "a again", T0), "same")));

        assertThat(answered.get(2)).isEqualTo(answered.get(0));
        assertThat(answered).extracting(Message::seq).containsExactly(1L, 2L, 1L);
        assertThat(store.after(chat.id(), 0, 10)).extracting(Message::content).containsExactly("a", "b");
    }

    @Test
    void aClientIdIsOneSendOnlyForItsSenderInItsChat() {
        String alice = user();
        String bob = user();
        Chat chat = newGroup(alice, bob);
        Chat other = newGroup(alice, bob);
        List<Message> answered = store.append(List.of(
                withClientId(message(chat.id(), alice, "alice's", T0), "x"),
                withClientId(message(chat.id(), bob, "bob's", T0), "x"),
                withClientId(message(other.id(), alice, "alice's elsewhere", T0), "x")));

        assertThat(answered).extracting(Message::id).doesNotHaveDuplicates();
        assertThat(store.after(chat.id(), 0, 10)).hasSize(2);
        assertThat(store.after(other.id(), 0, 10)).hasSize(1);
    }

    @Test
    void isHealthyWhileOpen() {
        assertThat(store.isHealthy()).isTrue();
    }

    // ---- helpers for subclasses and tests ---------------------------------------------------

    protected static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    protected static String user() {
        return id("user");
    }

    protected static Instant micros(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    protected static NewMessage message(String chatId, String senderId, String content, Instant at) {
        return new NewMessage(MESSAGE_IDS.incrementAndGet(), chatId, senderId, content, ContentType.TEXT, null, at);
    }

    // ---- attachments ---------------------------------------------------------------------------

    @Test
    void anAttachmentIsDueUntilAMessageTakesItAndAgainWhenItsLastMessageIsDeleted() {
        String alice = user();
        Chat chat = newGroup(alice);
        Attachment photo = new Attachment(id("a").replace('-', '_'), "image/png", 1234, 640, 480,
                "кот.png");
        StoredAttachment uploaded = new StoredAttachment(photo, chat.id(), alice, T0, T0.plusSeconds(60));
        store.addAttachment(uploaded);
        assertThat(store.findAttachment(photo.id())).contains(new StoredAttachment(photo, chat.id(), alice, micros(T0),
                micros(T0.plusSeconds(60))));
        assertThat(store.dueAttachments(T0.plusSeconds(60), 1000)).extracting(a -> a.attachment().id())
                .contains(photo.id());

        NewMessage first = withAttachment(message(chat.id(), alice, "look", T0), photo);
        NewMessage second = withAttachment(message(chat.id(), alice, "", T0), photo);
        List<Message> sent = store.append(List.of(first, second));
        assertThat(sent).extracting(Message::attachment).containsExactly(photo, photo);
        assertThat(store.after(chat.id(), 0, 10)).isEqualTo(sent); // the message row keeps its copy
        assertThat(store.findAttachment(photo.id()).orElseThrow().expiresAt()).isNull();
        assertThat(store.dueAttachments(T0.plus(365, ChronoUnit.DAYS), 1000)).extracting(a -> a.attachment().id())
                .doesNotContain(photo.id());

        Instant deletedAt = T0.plusSeconds(5);
        assertThat(store.softDelete(sent.get(0).id(), deletedAt).orElseThrow().attachment()).isNull();
        assertThat(store.findAttachment(photo.id()).orElseThrow().expiresAt()).isNull(); // the second still has it
        store.softDelete(sent.get(0).id(), deletedAt); // a repeated delete releases nothing more
        assertThat(store.findAttachment(photo.id()).orElseThrow().expiresAt()).isNull();

        store.softDelete(sent.get(1).id(), deletedAt);
        assertThat(store.findAttachment(photo.id()).orElseThrow().expiresAt()).isEqualTo(micros(deletedAt));
        assertThat(store.deleteDueAttachment(photo.id(), deletedAt.minusSeconds(1))).isFalse(); // not due yet
        assertThat(store.deleteDueAttachment(photo.id(), deletedAt)).isTrue();
        assertThat(store.findAttachment(photo.id())).isEmpty();
        assertThat(store.deleteDueAttachment(photo.id(), deletedAt)).isFalse();
    }

    @Test
    void aReferencedAttachmentIsNotDeletedByALateCollector() {
        String alice = user();
        Chat chat = newGroup(alice);
        Attachment file = new Attachment(id("f").replace('-', '_'), "application/pdf", 10, null, null,
                null);
        store.addAttachment(new StoredAttachment(file, chat.id(), alice, T0, T0.plusSeconds(1)));
        store.append(List.of(withAttachment(message(chat.id(), alice, "doc", T0), file)));

        assertThat(store.deleteDueAttachment(file.id(), T0.plusSeconds(10))).isFalse();
        assertThat(store.findAttachment(file.id())).isPresent();
    }

    private static NewMessage withAttachment(NewMessage m, Attachment a) {
        return new NewMessage(m.id(), m.chatId(), m.senderId(), m.content(), m.contentType(), m.replyTo(),
                m.createdAt(), m.clientMessageId(), m.outboxData(), a);
    }

    // ---- server API and webhook outbox --------------------------------------------------------

    @Test
    void membersAreRemovedAndChatsClosedOnceWithOneEventEach() {
        drainOutbox();
        Chat chat = newGroup("alice", "bob");
        assertThat(store.addMember(chat.id(), "carol", event("member.added", chat))).isTrue();
        assertThat(store.addMember(chat.id(), "carol", event("member.added", chat))).isFalse();
        assertThat(store.removeMember(chat.id(), "bob", event("member.removed", chat))).isTrue();
        assertThat(store.removeMember(chat.id(), "bob", event("member.removed", chat))).isFalse();
        assertThat(store.members(chat.id())).containsExactlyInAnyOrder("alice", "carol");

        Chat closed = store.closeChat(chat.id(), T0.plusSeconds(5), event("chat.closed", chat)).orElseThrow();
        assertThat(closed.closedAt()).isEqualTo(micros(T0.plusSeconds(5)));
        assertThat(store.closeChat(chat.id(), T0.plusSeconds(9), event("chat.closed", chat)).orElseThrow().closedAt())
                .as("closing again changes nothing").isEqualTo(micros(T0.plusSeconds(5)));
        assertThat(store.findChat(chat.id()).orElseThrow().closed()).isTrue();
        assertThat(store.closeChat(id("missing"), T0, null)).isEmpty();

        assertThat(claimAll()).extracting(e -> e.event().type())
                .containsExactly("member.added", "member.removed", "chat.closed");
    }

    @Test
    void aChatCreatedGetsItsEventOnlyWhenCreated() {
        drainOutbox();
        NewChat wanted = new NewChat(id("chat"), ChatKind.GROUP, "alice", null, null, Set.of("alice", "bob"), T0);
        store.createChatIfAbsent(wanted, new OutboxEvent(MESSAGE_IDS.incrementAndGet(), "chat.created", wanted.id(),
                null, "{}", T0));
        store.createChatIfAbsent(wanted, new OutboxEvent(MESSAGE_IDS.incrementAndGet(), "chat.created", wanted.id(),
                null, "{}", T0));
        assertThat(claimAll()).extracting(e -> e.event().chatId()).containsExactly(wanted.id());
    }

    @Test
    void aMessageWithOutboxDataIsAnnouncedInItsCommitAndARepeatIsNot() {
        drainOutbox();
        Chat chat = newGroup("alice", "bob");
        NewMessage announced = withOutbox(withClientId(message(chat.id(), "alice", "hi", T0), "c-1"), "{\"offline\":[\"bob\"]}");
        NewMessage quiet = message(chat.id(), "alice", "no webhook", T0);
        store.append(List.of(announced, quiet));
        NewMessage repeat = withOutbox(withClientId(message(chat.id(), "alice", "hi", T0), "c-1"), "{}");
        store.append(List.of(repeat));

        List<OutboxEntry> claimed = claimAll();
        assertThat(claimed).hasSize(1);
        OutboxEntry entry = claimed.get(0);
        assertThat(entry.event().id()).isEqualTo(announced.id());
        assertThat(entry.event().type()).isEqualTo("message.created");
        assertThat(entry.event().data()).isEqualTo("{\"offline\":[\"bob\"]}");
        assertThat(entry.message().content()).isEqualTo("hi");
        assertThat(entry.message().seq()).isEqualTo(1);
        assertThat(entry.attempts()).isZero();
    }

    @Test
    void claimedEventsAreHiddenUntilTheClaimLapsesThenRetriedOrDead() {
        drainOutbox();
        Chat chat = newGroup("alice", "bob");
        OutboxEvent first = event("member.added", chat);
        store.addMember(chat.id(), "carol", first);
        Instant now = Instant.now();

        assertThat(store.claimWebhooks(now, now.plusSeconds(30), 10)).hasSize(1);
        assertThat(store.claimWebhooks(now, now.plusSeconds(30), 10)).as("claimed: not due again").isEmpty();
        assertThat(store.claimWebhooks(now.plusSeconds(31), now.plusSeconds(60), 10))
                .as("the claimer died: due again once its claim lapsed").hasSize(1);

        store.webhookFailed(first.id(), 1, now.plusSeconds(100), "HTTP 503", false);
        assertThat(store.webhookBacklog().pending()).isEqualTo(1);
        assertThat(store.webhookBacklog().oldestPending()).isEqualTo(micros(first.createdAt()));
        assertThat(store.claimWebhooks(now.plusSeconds(99), now.plusSeconds(130), 10)).isEmpty();
        List<OutboxEntry> retried = store.claimWebhooks(now.plusSeconds(100), now.plusSeconds(130), 10);
        assertThat(retried).singleElement().satisfies(e -> assertThat(e.attempts()).isEqualTo(1));

        long deadBefore = store.webhookBacklog().dead();
        store.webhookFailed(first.id(), 2, now.plusSeconds(200), "HTTP 500", true);
        assertThat(store.claimWebhooks(now.plusSeconds(1_000), now.plusSeconds(1_030), 10)).isEmpty();
        assertThat(store.webhookBacklog()).isEqualTo(new WebhookBacklog(0, deadBefore + 1, null));
    }

    @Test
    void aDeliveredEventLeavesTheOutbox() {
        drainOutbox();
        Chat chat = newGroup("alice", "bob");
        store.addMember(chat.id(), "carol", event("member.added", chat));
        List<OutboxEntry> claimed = claimAll();
        store.webhookDelivered(claimed.get(0).event().id());
        assertThat(store.claimWebhooks(FAR, FAR, 10)).isEmpty();
        assertThat(store.webhookBacklog().pending()).isZero();
    }

    @Test
    void deliveredEventsLeaveTheOutboxInOneCall() {
        drainOutbox();
        Chat chat = newGroup("alice", "bob");
        store.addMember(chat.id(), "carol", event("member.added", chat));
        store.addMember(chat.id(), "dave", event("member.added", chat));
        store.addMember(chat.id(), "erin", event("member.added", chat));
        List<OutboxEntry> claimed = claimAll();
        assertThat(claimed).hasSize(3);
        store.webhookDelivered(List.of());
        store.webhookDelivered(List.of(claimed.get(0).event().id(), claimed.get(2).event().id()));
        assertThat(store.webhookBacklog().pending()).isEqualTo(1);
        assertThat(store.claimWebhooks(FAR, FAR, 10)).singleElement()
                .satisfies(e -> assertThat(e.event().id()).isEqualTo(claimed.get(1).event().id()));
    }

    @Test
    void revocationsNeverMoveBack() {
        String user = id("user");
        assertThat(store.revokeTokens(user, T0.plusSeconds(10))).isEqualTo(micros(T0.plusSeconds(10)));
        assertThat(store.revokeTokens(user, T0)).isEqualTo(micros(T0.plusSeconds(10)));
        assertThat(store.revokeTokens(user, T0.plusSeconds(20))).isEqualTo(micros(T0.plusSeconds(20)));
        assertThat(store.revocations()).containsEntry(user, micros(T0.plusSeconds(20)));
    }

    private static final Instant FAR = Instant.parse("2999-01-01T00:00:00Z");

    /** Other tests' events (the database may be shared) out of the way: delivered. Dead letters stay, never due. */
    private void drainOutbox() {
        List<OutboxEntry> left;
        while (!(left = store.claimWebhooks(FAR, FAR, 1_000)).isEmpty()) {
            left.forEach(e -> store.webhookDelivered(e.event().id()));
        }
    }

    private List<OutboxEntry> claimAll() {
        return store.claimWebhooks(FAR, FAR, 1_000);
    }

    private static OutboxEvent event(String type, Chat chat) {
        return new OutboxEvent(MESSAGE_IDS.incrementAndGet(), type, chat.id(), null, "{}", T0);
    }

    private static NewMessage withOutbox(NewMessage m, String data) {
        return new NewMessage(m.id(), m.chatId(), m.senderId(), m.content(), m.contentType(), m.replyTo(),
                m.createdAt(), m.clientMessageId(), data);
    }

    protected static NewMessage withClientId(NewMessage m, String clientMessageId) {
        return new NewMessage(m.id(), m.chatId(), m.senderId(), m.content(), m.contentType(), m.replyTo(),
                m.createdAt(), clientMessageId);
    }

    protected Chat newGroup(String... members) {
        return newGroupAt(T0, members);
    }

    protected Chat newGroupAt(Instant createdAt, String... members) {
        return store.createChatIfAbsent(new NewChat(id("chat"), ChatKind.GROUP, members[0], null, null,
                Set.of(members), createdAt));
    }

    /** Appends m1..mN to the chat in one batch. */
    protected List<Message> appendNumbered(Chat chat, String sender, int count) {
        List<NewMessage> batch = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            batch.add(message(chat.id(), sender, "m" + i, T0.plusMillis(i)));
        }
        return store.append(batch);
    }

    private static List<String> ids(List<Chat> chats) {
        return chats.stream().map(Chat::id).collect(Collectors.toList());
    }
}
