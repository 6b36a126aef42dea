package io.parley.protocol.model;

import java.util.Locale;

/**
 * What a chat is for; decides who may be a member (PROTOCOLS.md "Chats").
 *
 * <ul>
 *   <li>{@link #DIRECT}: exactly two users.</li>
 *   <li>{@link #GROUP} / {@link #PROJECT}: explicit members.</li>
 *   <li>{@link #SUPPORT}: one customer plus any support staff (role {@code admin}); the seed-002
 *       "conversation" bound to an application.</li>
 *   <li>{@link #BOOKING}: the two participants of a booking (seed 000).</li>
 * </ul>
 */
public enum ChatKind {
    DIRECT, GROUP, PROJECT, SUPPORT, BOOKING;

    /** Lower-case name used on the wire and in the database. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ChatKind fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** Staff may read and write every chat of this kind without being listed as a member. */
    public boolean openToStaff() {
        return this == SUPPORT;
    }
}
