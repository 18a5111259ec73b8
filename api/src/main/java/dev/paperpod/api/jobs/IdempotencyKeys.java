package dev.paperpod.api.jobs;

import dev.paperpod.api.web.ApiException;
import dev.paperpod.schemas.Wire;
import dev.paperpod.store.IdempotencyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code Idempotency-Key}, as Stripe defines it: same key and same request → the stored answer; same key and another
 * request → 422. Used inside the transaction of the work the key protects, so the answer is stored exactly when the
 * work is. Validation runs before: a request refused as invalid stores nothing and may be corrected and retried.
 */
@Component
class IdempotencyKeys {

    static final String HEADER = "Idempotency-Key";
    static final int MAX_LENGTH = 255;

    private static final JsonMapper CANONICAL = Wire.mapper()
            .rebuild()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private final IdempotencyStore keys;

    IdempotencyKeys(IdempotencyStore keys) {
        this.keys = keys;
    }

    /** A stored answer. */
    record Stored(int status, String body) {}

    /** Checks the header's shape: 400 when it is blank or too long. */
    static @Nullable String validate(@Nullable String key) {
        if (key == null) {
            return null;
        }
        if (key.isBlank() || key.length() > MAX_LENGTH) {
            throw ApiException.invalidField(
                    HEADER,
                    "the Idempotency-Key header must hold 1 to " + MAX_LENGTH + " characters",
                    "send a unique value per operation, such as a UUID, and the same one when you retry it");
        }
        return key;
    }

    /**
     * Claims the key for this request, or returns the answer stored for it. Blocks while another transaction holds
     * the same key (a concurrent retry), then reads what it stored.
     *
     * @return empty when this request is the first with the key: do the work, then {@link #store} its answer
     * @throws ApiException 422 when the key was used with another request
     */
    Optional<Stored> claimOrReplay(UUID account, String key, Object request) {
        String hash = hash(request);
        if (keys.claim(account, key, hash)) {
            return Optional.empty();
        }
        IdempotencyStore.Stored before = keys.find(account, key).orElseThrow();
        if (!hash.equals(before.requestHash())) {
            throw new ApiException(
                    HttpStatus.UNPROCESSABLE_CONTENT,
                    "IDEMPOTENCY_KEY_REUSED",
                    "Idempotency-Key '" + key + "' was used with a different request",
                    "use a new key for a new operation; a retry must send the same body as the first request",
                    HEADER);
        }
        return Optional.of(new Stored(before.status(), before.body()));
    }

    /** Stores the answer of the request that claimed the key, in the same transaction as its work. */
    void store(UUID account, String key, int status, Object body) {
        keys.answer(account, key, status, Wire.writeString(body));
    }

    /**
     * Over the request as parsed (a record, or a JSON object as sent), fields sorted at every depth: whitespace and the
     * order of fields or env entries do not count.
     */
    private static String hash(Object request) {
        try {
            Object plain = CANONICAL.convertValue(request, Object.class); // maps and lists, which the writer sorts
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(CANONICAL.writeValueAsBytes(plain));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
