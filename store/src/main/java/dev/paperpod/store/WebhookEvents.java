package dev.paperpod.store;

import static dev.paperpod.store.Unnest.column;

import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.job.JobStatus;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
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

    /** @param notifications the store's: the sender's wake-up goes out with the transaction's other notifications */
    WebhookEvents(JdbcClient jdbc, Notifications notifications) {
        this.jdbc = jdbc;
        this.notifications = notifications;
    }

    /** The event type of a job that ended so: {@code job.succeeded}, {@code job.timed_out}, … */
    public static String jobEventType(JobStatus end) {
        return "job." + end.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The events of these jobs' ends ({@code job.succeeded}, {@code job.failed}, {@code job.timed_out} or
     * {@code job.canceled}) as the arrays a statement made with {@link #insertSql} takes for its relation
     * {@code (type, key, payload, account_id, source_id)}: {@code unnest(?::text[], ?::text[], ?::text[], ?::uuid[],
     * ?::uuid[])}.
     */
    static Object[] jobsEndedColumns(List<JobRecord> jobs) {
        return columns(jobEvents(jobs));
    }

    private static List<Event> jobEvents(List<JobRecord> jobs) {
        List<Event> events = new ArrayList<>(jobs.size());
        for (JobRecord job : jobs) {
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
            events.add(new Event(job.accountId(), type, type + ":" + job.id(), data, job.finishedAt(), job.id()));
        }
        return events;
    }

    /** Every job of a batch has ended. */
    public void batchCompleted(UUID accountId, UUID batchId, Instant at) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", batchId);
        data.put("completedAt", at);
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
            UUID accountId,
            String type,
            String key,
            Map<String, Object> data,
            @Nullable Instant at,
            UUID sourceId) {}

    /** One statement for all the events: a delivery per event and subscribed endpoint. */
    private void deliver(List<Event> events, String source) {
        if (events.isEmpty()) {
            return;
        }
        List<Object> params = new ArrayList<>(List.of(Timestamp.from(Instant.now())));
        params.addAll(List.of(columns(events)));
        int created = jdbc.sql(insertSql("unnest(?::text[], ?::text[], ?::text[], ?::uuid[], ?::uuid[])", source))
                .params(params)
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

    private static Object[] columns(List<Event> events) {
        return new Object[] {
            column(events, Event::type, String[]::new),
            column(events, Event::key, String[]::new),
            column(events, WebhookEvents::payload, String[]::new),
            column(events, Event::accountId, UUID[]::new),
            column(events, Event::sourceId, UUID[]::new)
        };
    }

    /** What the endpoint receives: the event's type, when it happened and its data. */
    private static String payload(Event e) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("type", e.type());
        payload.put("timestamp", e.at() == null ? Instant.now() : e.at());
        payload.put("data", e.data());
        return Wire.writeString(payload);
    }

    private static void putIfPresent(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
