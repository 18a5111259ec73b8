package dev.paperpod.store;

import static dev.paperpod.store.PostgresJobStore.instant;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

/** {@link WebhookStore} on the {@code webhook_endpoints}, {@code webhook_deliveries} and {@code webhook_attempts} tables. */
public final class PostgresWebhookStore implements WebhookStore {

    private final JdbcClient jdbc;

    public PostgresWebhookStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void createEndpoint(Endpoint e) {
        jdbc.sql("""
                        insert into webhook_endpoints (id, account_id, url, events, secret, created_at)
                        values (?, ?, ?, ?, ?, ?)
                        """)
                .params(
                        e.id(),
                        e.accountId(),
                        e.url(),
                        e.events().toArray(String[]::new),
                        e.secret(),
                        Timestamp.from(e.createdAt()))
                .update();
    }

    @Override
    public List<Endpoint> endpoints(UUID accountId) {
        return jdbc.sql("select * from webhook_endpoints where account_id = ? order by created_at")
                .param(accountId)
                .query(PostgresWebhookStore::endpoint)
                .list();
    }

    @Override
    public Optional<Endpoint> endpoint(UUID endpointId, UUID accountId) {
        return jdbc.sql("select * from webhook_endpoints where id = ? and account_id = ?")
                .params(endpointId, accountId)
                .query(PostgresWebhookStore::endpoint)
                .optional();
    }

    @Override
    public boolean hasEnabledEndpoint(UUID accountId, String url) {
        return jdbc.sql("select exists (select 1 from webhook_endpoints"
                        + " where account_id = ? and url = ? and disabled_at is null)")
                .params(accountId, url)
                .query(Boolean.class)
                .single();
    }

    @Override
    public void rotateSecret(UUID endpointId, String secret, Instant previousUntil) {
        jdbc.sql("""
                        update webhook_endpoints set previous_secret = secret, previous_secret_until = ?, secret = ?
                        where id = ?
                        """).params(Timestamp.from(previousUntil), secret, endpointId).update();
    }

    @Override
    public void attachToJob(UUID jobId, String url) {
        jdbc.sql("update jobs set webhook_url = ? where id = ?")
                .params(url, jobId)
                .update();
    }

    @Override
    public List<Delivery> deliveries(UUID endpointId, int limit) {
        List<Delivery> bare = jdbc.sql(
                        "select * from webhook_deliveries where endpoint_id = ? order by created_at desc limit ?")
                .params(endpointId, limit)
                .query((rs, row) -> delivery(rs, List.of()))
                .list();
        return withLogs(bare);
    }

    @Override
    public Optional<Delivery> replay(String deliveryId, UUID accountId) {
        int changed = jdbc.sql("""
                        update webhook_deliveries d set status = 'PENDING', next_attempt_at = now(), finished_at = null
                        from webhook_endpoints e
                        where d.id = ? and e.id = d.endpoint_id and e.account_id = ? and e.disabled_at is null
                        """).params(deliveryId, accountId).update();
        if (changed == 0) {
            return Optional.empty();
        }
        jdbc.sql("select pg_notify(?, '')").param(CHANNEL).query().listOfRows();
        return Optional.of(withLogs(jdbc.sql("select * from webhook_deliveries where id = ?")
                        .param(deliveryId)
                        .query((rs, row) -> delivery(rs, List.of()))
                        .list())
                .get(0));
    }

    @Override
    public List<Due> claimDue(Instant now, int limit, Instant leaseUntil) {
        List<Due> due = jdbc.sql("""
                        select d.id, d.attempts, d.payload::text as payload, e.url, e.secret, e.id as endpoint_id,
                               case when e.previous_secret_until > ? then e.previous_secret end as previous_secret
                        from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
                        where d.status = 'PENDING' and d.next_attempt_at <= ? and e.disabled_at is null
                        order by d.next_attempt_at
                        limit ?
                        for update of d skip locked
                        """)
                .params(Timestamp.from(now), Timestamp.from(now), limit)
                .query((rs, row) -> new Due(
                        rs.getString("id"),
                        rs.getInt("attempts") + 1,
                        rs.getString("payload"),
                        rs.getString("url"),
                        rs.getString("secret"),
                        rs.getString("previous_secret"),
                        rs.getObject("endpoint_id", UUID.class)))
                .list();
        if (!due.isEmpty()) {
            jdbc.sql("update webhook_deliveries set next_attempt_at = ? where id = any(?)")
                    .params(
                            Timestamp.from(leaseUntil),
                            due.stream().map(Due::id).toArray(String[]::new))
                    .update();
        }
        return due;
    }

    @Override
    public void recordAttempt(
            String deliveryId,
            int attempt,
            Instant at,
            @Nullable Integer statusCode,
            @Nullable String error,
            long durationMs) {
        jdbc.sql("""
                        insert into webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms)
                        values (?, ?, ?, ?, ?, ?) on conflict do nothing
                        """)
                .params(deliveryId, attempt, Timestamp.from(at), statusCode, error, durationMs)
                .update();
    }

    @Override
    public void finish(String deliveryId, String status, int attempts, Instant at) {
        jdbc.sql("""
                        update webhook_deliveries set status = ?, attempts = ?, next_attempt_at = null, finished_at = ?
                        where id = ?
                        """).params(status, attempts, Timestamp.from(at), deliveryId).update();
    }

    @Override
    public void retryAt(String deliveryId, int attempts, Instant next) {
        jdbc.sql("update webhook_deliveries set attempts = ?, next_attempt_at = ? where id = ?")
                .params(attempts, Timestamp.from(next), deliveryId)
                .update();
    }

    @Override
    public void disableEndpoint(UUID endpointId, String reason, Instant at) {
        jdbc.sql("""
                        update webhook_endpoints set disabled_at = ?, disabled_reason = ?
                        where id = ? and disabled_at is null
                        """).params(Timestamp.from(at), reason, endpointId).update();
    }

    /** The deliveries with their attempts, read in one more statement for all of them. */
    private List<Delivery> withLogs(List<Delivery> deliveries) {
        if (deliveries.isEmpty()) {
            return deliveries;
        }
        Map<String, List<Attempt>> logs = new HashMap<>();
        jdbc.sql("select * from webhook_attempts where delivery_id = any(?) order by delivery_id, attempt")
                .param(deliveries.stream().map(Delivery::id).toArray(String[]::new))
                .query(rs -> {
                    logs.computeIfAbsent(rs.getString("delivery_id"), k -> new ArrayList<>())
                            .add(new Attempt(
                                    rs.getInt("attempt"),
                                    Objects.requireNonNull(instant(rs, "at")),
                                    (Integer) rs.getObject("status_code"),
                                    rs.getString("error"),
                                    rs.getLong("duration_ms")));
                });
        return deliveries.stream()
                .map(d -> new Delivery(
                        d.id(),
                        d.eventType(),
                        d.status(),
                        d.attempts(),
                        d.createdAt(),
                        d.nextAttemptAt(),
                        d.finishedAt(),
                        List.copyOf(logs.getOrDefault(d.id(), List.of()))))
                .toList();
    }

    private static Delivery delivery(ResultSet rs, List<Attempt> log) throws SQLException {
        return new Delivery(
                rs.getString("id"),
                rs.getString("event_type"),
                rs.getString("status"),
                rs.getInt("attempts"),
                Objects.requireNonNull(instant(rs, "created_at")),
                instant(rs, "next_attempt_at"),
                instant(rs, "finished_at"),
                log);
    }

    private static Endpoint endpoint(ResultSet rs, int row) throws SQLException {
        return new Endpoint(
                rs.getObject("id", UUID.class),
                rs.getObject("account_id", UUID.class),
                rs.getString("url"),
                Arrays.asList((String[]) rs.getArray("events").getArray()),
                rs.getString("secret"),
                Objects.requireNonNull(instant(rs, "created_at")),
                instant(rs, "disabled_at"),
                rs.getString("disabled_reason"));
    }
}
