package dev.paperpod.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The accounts' browser sessions and the worker each runs on. A session is open until it is ended, or until it has
 * been idle past its timeout: the worker ends an idle one at the same rule, so such a session is no longer open here
 * either.
 */
public interface BrowserSessionStore {

    /**
     * Opens {@code session} unless its account already holds {@code max} sessions open at {@code now}. The count and
     * the insert are one step per account: calls at once never open more than {@code max} between them.
     *
     * @return whether it was opened
     */
    boolean open(Session session, int max, Instant now);

    /** The account's session, when it is open at {@code now}. */
    Optional<Session> find(UUID accountId, String sessionId, Instant now);

    /** The account's open sessions at {@code now}, oldest first. */
    List<Session> open(UUID accountId, Instant now);

    /** Records a use: the idle timeout counts from {@code at}. */
    void used(String sessionId, Instant at);

    /** Ends it; answers whether it was open. */
    boolean end(UUID accountId, String sessionId, Instant at);

    /** How many open sessions each worker runs, of those named. */
    Map<String, Integer> openPerWorker(List<String> workerIds, Instant now);

    record Session(
            String sessionId,
            UUID accountId,
            String workerId,
            Duration idleTimeout,
            Instant createdAt,
            Instant lastUsedAt) {

        public Instant expiresAt() {
            return lastUsedAt.plus(idleTimeout);
        }
    }
}
