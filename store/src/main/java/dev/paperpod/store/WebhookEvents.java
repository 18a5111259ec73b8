package dev.paperpod.store;

import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.job.JobStatus;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Turns what happened into webhook deliveries, in the transaction that made it happen: one delivery per subscribed
 * endpoint, at most once per event ({@code event_key}), so a replayed event delivers nothing new. The scheduler's
 * sender posts them.
 */
public final class WebhookEvents {

    /** PostgreSQL channel notified when deliveries are due: the sender wakes. */
    public static final String CHANNEL = "paperpod_webhooks";

    private final JdbcClient jdbc;

    public WebhookEvents(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The event type of a job that ended so: {@code job.succeeded}, {@code job.timed_out}, … */
    public static String jobEventType(JobStatus end) {
        return "job." + end.name().toLowerCase(Locale.ROOT);
    }

    /** A job ended: {@code job.succeeded}, {@code job.failed}, {@code job.timed_out} or {@code job.canceled}. */
    public void jobEnded(JobRecord job) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", job.id());
        data.put("kind", job.kind());
        data.put("status", job.status());
        data.put("attempts", job.attempt());
        data.put("createdAt", job.createdAt());
        putIfPresent(data, "startedAt", job.startedAt());
        putIfPresent(data, "finishedAt", job.finishedAt());
        putIfPresent(data, "result", job.result());
        putIfPresent(data, "error", job.error());
        String type = jobEventType(job.status());
        deliver(job.accountId(), type, type + ":" + job.id(), data, job.finishedAt(), "jobs", job.id());
    }

    /** Every job of a batch has ended. */
    public void batchCompleted(UUID accountId, UUID batchId, Instant at) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", batchId);
        data.put("completedAt", at);
        deliver(accountId, "batch.completed", "batch.completed:" + batchId, data, at, "batches", batchId);
    }

    /**
     * @param source the table ({@code jobs} or {@code batches}) whose row {@code sourceId} may name its own
     *     {@code webhook_url}: the account's endpoint at that URL gets the event whatever its filter
     */
    private void deliver(
            UUID accountId,
            String type,
            String key,
            Map<String, Object> data,
            Instant at,
            String source,
            UUID sourceId) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("type", type);
        payload.put("timestamp", at == null ? Instant.now() : at);
        payload.put("data", data);
        int created = jdbc.sql("""
                        insert into webhook_deliveries (id, endpoint_id, event_type, event_key, payload, status,
                                                        next_attempt_at, created_at)
                        select 'msg_' || replace(gen_random_uuid()::text, '-', ''), e.id, ?, ?, ?::jsonb, 'PENDING',
                               now(), ?
                        from webhook_endpoints e
                        where e.account_id = ? and e.disabled_at is null
                          and (cardinality(e.events) = 0 or ? = any(e.events)
                               or e.url = (select webhook_url from %s where id = ?))
                        on conflict (endpoint_id, event_key) do nothing
                        """.formatted(source))
                .params(type, key, Wire.writeString(payload), Timestamp.from(Instant.now()), accountId, type, sourceId)
                .update();
        if (created > 0) {
            jdbc.sql("select pg_notify(?, '')").param(CHANNEL).query().listOfRows();
        }
    }

    private static void putIfPresent(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
