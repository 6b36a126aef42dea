package io.parley.protocol.model;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/** A chat to create; the store assigns its {@link Chat#number()}. */
public record NewChat(String id, ChatKind kind, String ownerId, Long applicationId, String title,
                      Set<String> members, Instant createdAt) {
    public NewChat {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(createdAt, "createdAt");
        members = Set.copyOf(members);
    }
}
