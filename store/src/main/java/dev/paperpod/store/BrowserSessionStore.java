package dev.paperpod.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

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

    /** Its browser is ready: its time of use, and its idle timeout, count from {@code at}. */
    void opened(String sessionId, Instant at);

    /** Records a use: the idle timeout counts from {@code at}. */
    void used(String sessionId, Instant at);

    /** Ends it at {@code at}; answers it as it ended, or empty when it was not open. */
    Optional<Session> end(UUID accountId, String sessionId, Instant at);

    /** How many open sessions each worker runs, of those named. */
    Map<String, Integer> openPerWorker(List<String> workerIds, Instant now);

    /**
     * @param openedAt when its browser was ready (null while it starts)
     * @param endedAt when it was released or lost (null while open, and when it idled out)
     */
    record Session(
            String sessionId,
            UUID accountId,
            String workerId,
            Duration idleTimeout,
            Instant createdAt,
            Instant lastUsedAt,
            @Nullable Instant openedAt,
            @Nullable Instant endedAt) {

        /** A session being opened: reserved at {@code at}, its browser not started yet. */
        public static Session opening(String sessionId, UUID accountId, String workerId, Duration idle, Instant at) {
            return new Session(sessionId, accountId, workerId, idle, at, at, null, null);
        }

        public Instant expiresAt() {
            return lastUsedAt.plus(idleTimeout);
        }

        /**
         * Its time of use up to {@code now}, in whole seconds begun (the metering unit): from its browser's being ready
         * to its end, or to the end of its idle timeout.
         */
        public long seconds(Instant now) {
            if (openedAt == null) {
                return 0;
            }
            Instant end = endedAt != null ? endedAt : now.isBefore(expiresAt()) ? now : expiresAt();
            long millis = Math.max(0, Duration.between(openedAt, end).toMillis());
            return (millis + 999) / 1000;
        }
    }
}
