package io.parley.gateway.session;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/** Who is online on a single node: a user is online while they have a session here. */
public record LocalOnlineUsers(SessionRegistry sessions) implements OnlineUsers {

    @Override
    public CompletableFuture<Set<String>> onlineAmong(Collection<String> userIds) {
        return CompletableFuture.completedFuture(
                userIds.stream().filter(sessions::isOnline).collect(Collectors.toUnmodifiableSet()));
    }

    @Override
    public CompletableFuture<Set<String>> shownAmong(Collection<String> userIds) {
        return CompletableFuture.completedFuture(userIds.stream()
                .filter(user -> sessions.anyOf(user, Session::visible)).collect(Collectors.toUnmodifiableSet()));
    }
}
