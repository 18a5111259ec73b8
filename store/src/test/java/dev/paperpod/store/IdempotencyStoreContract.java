package dev.paperpod.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link IdempotencyStore} does: a key claimed once per account, its answer kept, old keys forgotten. */
abstract class IdempotencyStoreContract {

    protected abstract Stores stores();

    @Test
    void aKeyIsClaimedOnceAndKeepsItsRequestAndAnswer() {
        Stores stores = stores();
        IdempotencyStore keys = stores.idempotency();
        UUID account = stores.account();
        String key = "key-" + UUID.randomUUID();

        assertThat(keys.claim(account, key, "hash-1")).isTrue();
        assertThat(keys.claim(account, key, "hash-2")).isFalse();
        assertThat(keys.claim(stores.account(), key, "hash-2"))
                .as("another account's key")
                .isTrue();
        assertThat(keys.find(account, key))
                .hasValueSatisfying(k -> assertThat(k.status()).isZero());

        keys.answer(account, key, 202, "{\"id\":1}");

        assertThat(keys.find(account, key)).hasValueSatisfying(k -> {
            assertThat(k.requestHash()).isEqualTo("hash-1");
            assertThat(k.status()).isEqualTo(202);
            assertThat(k.body()).isEqualTo("{\"id\": 1}");
        });
        assertThat(keys.forgetBefore(Instant.now().plusSeconds(3600))).isGreaterThanOrEqualTo(2);
        assertThat(keys.find(account, key)).isEmpty();
    }
}
