package io.parley.gateway.session;

/**
 * Told when this node starts hosting a user (their first open connection here) and when it stops
 * (their last one closed). Called in order for each user, under the registry's lock for that
 * user: implementations must not block (start asynchronous work and return).
 */
public interface HostedUserListener {
    HostedUserListener NONE = new HostedUserListener() {
        @Override
        public void firstOpened(String userId) {
        }

        @Override
        public void lastClosed(String userId) {
        }
    };

    void firstOpened(String userId);

    void lastClosed(String userId);
}
