package dev.paperpod.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/** {@link IdempotencyStore} on the {@code idempotency_keys} table. */
public final class PostgresIdempotencyStore implements IdempotencyStore {

    private final JdbcClient jdbc;

    public PostgresIdempotencyStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public boolean claim(UUID accountId, String key, String requestHash) {
        return jdbc.sql("""
                        insert into idempotency_keys (account_id, key, request_hash, status_code, response)
                        values (?, ?, ?, 0, 'null'::jsonb) on conflict do nothing
                        """).params(accountId, key, requestHash).update() == 1;
    }

    @Override
    public Optional<Stored> find(UUID accountId, String key) {
        return jdbc.sql("""
                        select request_hash, status_code, response::text as response from idempotency_keys
                        where account_id = ? and key = ?
                        """)
                .params(accountId, key)
                .query((rs, row) ->
                        new Stored(rs.getString("request_hash"), rs.getInt("status_code"), rs.getString("response")))
                .optional();
    }

    @Override
    public void answer(UUID accountId, String key, int status, String body) {
        jdbc.sql("update idempotency_keys set status_code = ?, response = ?::jsonb where account_id = ? and key = ?")
                .params(status, body, accountId, key)
                .update();
    }

    @Override
    public int forgetBefore(Instant before) {
        return jdbc.sql("delete from idempotency_keys where created_at < ?")
                .param(Timestamp.from(before))
                .update();
    }
}
