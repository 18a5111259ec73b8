package dev.paperpod.store;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code Idempotency-Key}s and the answers stored for them, per account. A key is claimed in the transaction of the
 * work it guards; a concurrent claim of the same key waits for that transaction, then finds what it stored.
 */
public interface IdempotencyStore {

    /**
     * Claims the key for a request whose hash is {@code requestHash}.
     *
     * @return false when the key was claimed before (then {@link #find} says by what request and with what answer)
     */
    boolean claim(UUID accountId, String key, String requestHash);

    Optional<Stored> find(UUID accountId, String key);

    /** Stores the answer of the request that claimed the key. */
    void answer(UUID accountId, String key, int status, String body);

    /** Forgets the keys claimed before {@code before}; returns how many. */
    int forgetBefore(Instant before);

    /** A claimed key: the request's hash, and the answer (status 0 while the claiming request works). */
    record Stored(String requestHash, int status, String body) {}
}
