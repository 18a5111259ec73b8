package dev.paperpod.store;

import static dev.paperpod.store.Unnest.column;

import dev.paperpod.schemas.Wire;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
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
    private final Notifications notifications;
    private final Clock clock;

    /**
     * @param notifications the store's: the sender's wake-up goes out with the transaction's other notifications
     */
    WebhookEvents(JdbcClient jdbc, Notifications notifications, Clock clock) {
        this.jdbc = jdbc;
        this.notifications = notifications;
        this.clock = clock;
    }

    /**
     * The events of the jobs in {@code ended} ({@code job.succeeded}, {@code job.failed}, {@code job.timed_out} or
     * {@code job.canceled}) as the relation {@link #insertSql} takes. {@code ended} is a relation of saved rows with
     * {@code id, account_id, kind, status, attempts, result, error} (jsonb) and {@code created_text, started_text,
     * finished_text}: their instants in {@code Instant.toString}'s form, the one the API writes. The payload,
     * {@code {"type", "timestamp", "data": the job}} with absent fields left out (the API writes nothing null, and a
     * result or error has nothing null inside), is built in the statement from the row as saved, not in Java for
     * every ended job whether an endpoint takes it or not. One parameter: the events' time (text) for a job without
     * an end time.
     */
    static String jobsEndedSql(String ended) {
        return """
                (select 'job.' || lower(x.status), 'job.' || lower(x.status) || ':' || x.id,
                        jsonb_build_object(
                            'type', 'job.' || lower(x.status),
                            'timestamp', coalesce(x.finished_text, ?),
                            'data', jsonb_strip_nulls(jsonb_build_object(
                                'id', x.id, 'kind', x.kind, 'status', x.status, 'attempts', x.attempts,
                                'createdAt', x.created_text, 'startedAt', x.started_text,
                                'finishedAt', x.finished_text, 'result', x.result, 'error', x.error))),
                        x.account_id, x.id
                 from %s x)""".formatted(ended);
    }

    /**
     * Every job of a batch has ended: its id, when, how many jobs and how each ended (the counts of
     * {@code GET /v1/batches/{id}}), and where its jobs are listed.
     */
    public void batchCompleted(UUID accountId, UUID batchId, Instant at) {
        Map<String, Long> counts = new LinkedHashMap<>();
        jdbc.sql("select status, count(*) as n from jobs where batch_id = ? group by status order by status")
                .param(batchId)
                .query(rs -> {
                    counts.put(rs.getString("status"), rs.getLong("n"));
                });
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", batchId);
        data.put("completedAt", at);
        data.put("total", counts.values().stream().mapToLong(Long::longValue).sum());
        data.put("counts", counts);
        data.put("jobsUrl", "/v1/jobs?batch=" + batchId);
        deliver(
                List.of(new Event(accountId, "batch.completed", "batch.completed:" + batchId, data, at, batchId)),
                "batches");
    }

    /**
     * @param key the event's identity: an endpoint gets each key once
     * @param sourceId the row of the source table ({@code jobs} or {@code batches}) that may name its own
     *     {@code webhook_url}: the account's endpoint at that URL gets the event whatever its filter
     */
    private record Event(
            UUID accountId, String type, String key, Map<String, Object> data, Instant at, UUID sourceId) {}

    /** One statement for all the events: a delivery per event and subscribed endpoint. */
    private void deliver(List<Event> events, String source) {
        if (events.isEmpty()) {
            return;
        }
        int created = jdbc.sql(insertSql("unnest(?::text[], ?::text[], ?::text[], ?::uuid[], ?::uuid[])", source))
                .params(
                        Timestamp.from(clock.instant()),
                        column(events, Event::type, String[]::new),
                        column(events, Event::key, String[]::new),
                        column(events, WebhookEvents::payload, String[]::new),
                        column(events, Event::accountId, UUID[]::new),
                        column(events, Event::sourceId, UUID[]::new))
                .update();
        if (created > 0) {
            notifications.send(List.of(CHANNEL), List.of(""));
        }
    }

    /**
     * An insert of a delivery per event of {@code events} (a relation of {@code type, key, payload, account_id,
     * source_id}) and subscribed endpoint, each at most once. Its first parameter is the deliveries' creation time;
     * {@code source} is the events' source table. The sender must be woken ({@link #CHANNEL}) after it inserts.
     */
    static String insertSql(String events, String source) {
        return """
                insert into webhook_deliveries (id, endpoint_id, event_type, event_key, payload, status,
                                                next_attempt_at, created_at)
                select 'msg_' || replace(gen_random_uuid()::text, '-', ''), e.id, u.type, u.key,
                       u.payload::jsonb, 'PENDING', now(), ?
                from %s as u(type, key, payload, account_id, source_id)
                join webhook_endpoints e on e.account_id = u.account_id and e.disabled_at is null
                  and (cardinality(e.events) = 0 or u.type = any(e.events)
                       or e.url = (select webhook_url from %s where id = u.source_id))
                on conflict (endpoint_id, event_key) do nothing""".formatted(events, source);
    }

    /** What the endpoint receives: the event's type, when it happened and its data. */
    private static String payload(Event e) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("type", e.type());
        payload.put("timestamp", e.at());
        payload.put("data", e.data());
        return Wire.writeString(payload);
    }
}
