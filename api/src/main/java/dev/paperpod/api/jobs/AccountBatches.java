package dev.paperpod.api.jobs;

import dev.paperpod.api.exec.ExecRequestValidator;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.http.BatchAccepted;
import dev.paperpod.schemas.http.BatchRequest;
import dev.paperpod.schemas.http.BatchView;
import dev.paperpod.schemas.http.ExecRequest;
import dev.paperpod.schemas.job.ExecSpec;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobStateMachine;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.store.DispatchQueue;
import dev.paperpod.store.JobRecord;
import dev.paperpod.store.JobStore;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/** An account's batches: many background jobs accepted in one transaction, followed and canceled as one. */
@Component
class AccountBatches {

    static final int MAX_ITEMS = 10_000;

    private final ExecRequestValidator validator;
    private final JobStore store;
    private final DispatchQueue queue;
    private final JobControl control;
    private final IdempotencyKeys keys;
    private final Backpressure backpressure;
    private final InlineWebhooks inlineWebhooks;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;

    AccountBatches(
            ExecRequestValidator validator,
            JobStore store,
            DispatchQueue queue,
            JobControl control,
            IdempotencyKeys keys,
            Backpressure backpressure,
            InlineWebhooks inlineWebhooks,
            JdbcClient jdbc,
            TransactionTemplate tx,
            Clock clock) {
        this.validator = validator;
        this.store = store;
        this.queue = queue;
        this.control = control;
        this.keys = keys;
        this.backpressure = backpressure;
        this.inlineWebhooks = inlineWebhooks;
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
    }

    /** The answer to a batch submission, and whether it is a stored one replayed for a repeated idempotency key. */
    record Submitted(BatchAccepted answer, boolean replayed) {}

    /**
     * Validates every item (naming the first wrong one, {@code jobs[17].language}), then stores the batch and all
     * its jobs in one transaction: all of them are accepted, or none.
     */
    Submitted submit(UUID account, BatchRequest request, @Nullable String idempotencyKey) {
        List<ExecRequest> items = items(request);
        String webhookUrl = inlineWebhooks.check(account, request.webhookUrl());
        Instant now = clock.instant();
        UUID batchId = UUID.randomUUID();
        List<JobRecord> jobs = new ArrayList<>(items.size());
        String label = request.jobs() != null ? "jobs" : "inputs";
        for (int i = 0; i < items.size(); i++) {
            ExecRequest item = items.get(i);
            try {
                if (item.webhookUrl() != null) {
                    throw ApiException.invalidField(
                            "webhookUrl",
                            "a batch's jobs take no webhookUrl of their own",
                            "give the batch a webhookUrl (batch.completed), or subscribe an endpoint to job events");
                }
                ExecSpec spec = validator.toSpec(item);
                int maxAttempts = validator.maxAttempts(item, true);
                ExecRequestValidator.Schedule schedule = validator.schedule(item, true, now);
                jobs.add(JobRecord.waiting(
                        UUID.randomUUID(),
                        account,
                        JobKind.EXEC.wireName(),
                        "async",
                        1,
                        maxAttempts,
                        now,
                        spec,
                        schedule.priority(),
                        schedule.runAt(),
                        null));
            } catch (ApiException e) {
                throw e.inItem(label + "[" + i + "]");
            }
        }
        String url = "/v1/batches/" + batchId;
        BatchAccepted accepted = new BatchAccepted(batchId, jobs.size(), now, url, "/v1/jobs?batch=" + batchId);
        return Objects.requireNonNull(tx.execute(status -> {
            if (idempotencyKey != null) {
                Optional<IdempotencyKeys.Stored> before = keys.claimOrReplay(account, idempotencyKey, request);
                if (before.isPresent()) {
                    return new Submitted(Wire.read(before.get().body(), BatchAccepted.class), true);
                }
            }
            backpressure.admit(account, jobs.size());
            jdbc.sql("insert into batches (id, account_id, total, webhook_url, created_at) values (?, ?, ?, ?, ?)")
                    .params(batchId, account, jobs.size(), webhookUrl, Timestamp.from(now))
                    .update();
            store.insertBatch(jobs, batchId);
            queue.announceWaiting();
            if (idempotencyKey != null) {
                keys.store(account, idempotencyKey, HttpStatus.ACCEPTED.value(), accepted);
            }
            return new Submitted(accepted, false);
        }));
    }

    /** The batch with its jobs counted per status. */
    Optional<BatchView> find(UUID batchId, UUID account) {
        return jdbc.sql("""
                        select total, webhook_url, created_at, canceled_at, completed_at from batches
                        where id = ? and account_id = ?
                        """)
                .params(batchId, account)
                .query((rs, row) -> new Object[] {
                    rs.getInt("total"),
                    rs.getString("webhook_url"),
                    rs.getTimestamp("created_at").toInstant(),
                    instant(rs.getTimestamp("canceled_at")),
                    instant(rs.getTimestamp("completed_at"))
                })
                .optional()
                .map(b -> view(batchId, b));
    }

    private BatchView view(UUID batchId, Object[] b) {
        Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
        Instant[] span = new Instant[2];
        jdbc.sql("""
                        select status, count(*) as n, min(started_at) as first_started, max(finished_at) as last_finished
                        from jobs where batch_id = ? group by status
                        """).param(batchId).query(rs -> {
            counts.put(JobStatus.valueOf(rs.getString("status")), rs.getLong("n"));
            span[0] = earliest(span[0], instant(rs.getTimestamp("first_started")));
            span[1] = latest(span[1], instant(rs.getTimestamp("last_finished")));
        });
        int total = (Integer) b[0];
        long ended = counts.entrySet().stream()
                .filter(e -> e.getKey().isTerminal())
                .mapToLong(Map.Entry::getValue)
                .sum();
        return new BatchView(
                batchId,
                total,
                (Instant) b[2],
                new LinkedHashMap<>(counts),
                ended,
                total == 0 ? 1.0 : ended / (double) total,
                span[0],
                span[1],
                (Instant) b[3],
                (Instant) b[4],
                (String) b[1],
                "/v1/jobs?batch=" + batchId);
    }

    /**
     * Cancels every job of the batch that has not ended: waiting ones end CANCELED now, running ones are killed by
     * their workers. The moves are the state machine's: a job is canceled only from a status it allows.
     */
    Optional<BatchView> cancel(UUID batchId, UUID account) {
        Instant now = clock.instant();
        List<String> waiting = new ArrayList<>();
        for (JobStatus s : JobStatus.values()) {
            if (s != JobStatus.RUNNING && JobStateMachine.canMove(s, JobStatus.CANCELED)) {
                waiting.add(s.name());
            }
        }
        List<JobRecord> told = new ArrayList<>();
        boolean found = Objects.requireNonNull(tx.execute(status -> {
            int batches =
                    jdbc.sql("""
                            update batches set canceled_at = coalesce(canceled_at, ?)
                            where id = ? and account_id = ?
                            """).params(Timestamp.from(now), batchId, account).update();
            if (batches == 0) {
                return false;
            }
            String error = Wire.writeString(new dev.paperpod.schemas.job.JobError(
                    "CANCELED", "the batch was canceled before the job ran", false));
            List<UUID> onKafka = jdbc
                    .sql("""
                            update jobs set status = 'CANCELED', finished_at = ?, error = ?::jsonb, next_attempt_at = null,
                                            version = version + 1, updated_at = now()
                            where batch_id = ? and status = any(?)
                            returning case when dispatched_at is not null then id end
                            """)
                    .params(Timestamp.from(now), error, batchId, waiting.toArray(String[]::new))
                    .query(UUID.class)
                    .list()
                    .stream()
                    .filter(Objects::nonNull)
                    .toList();
            List<UUID> running = jdbc.sql("""
                            update jobs set cancel_requested_at = coalesce(cancel_requested_at, ?), version = version + 1,
                                            updated_at = now()
                            where batch_id = ? and status = 'RUNNING'
                            returning id
                            """)
                    .params(Timestamp.from(now), batchId)
                    .query(UUID.class)
                    .list();
            store.completeBatches(now);
            for (UUID id : onKafka) {
                store.find(id).ifPresent(told::add);
            }
            for (UUID id : running) {
                store.find(id).ifPresent(told::add);
            }
            return true;
        }));
        if (!found) {
            return Optional.empty();
        }
        // After the commit: the workers drop or kill what the rows now say is canceled.
        for (JobRecord job : told) {
            try {
                control.cancel(job);
            } catch (RuntimeException e) {
                // The rows are the truth; a worker that runs a canceled job has its end ignored.
            }
        }
        return find(batchId, account);
    }

    /** The batch's items: its jobs, or its template merged with each input. */
    private static List<ExecRequest> items(BatchRequest request) {
        boolean listed = request.jobs() != null;
        boolean templated = request.template() != null || request.inputs() != null;
        if (listed == templated) {
            throw ApiException.invalidField(
                    listed ? "template" : "jobs",
                    listed
                            ? "send jobs, or template and inputs, not both"
                            : "a batch needs jobs, or template and inputs",
                    "{\"jobs\":[{…},{…}]} or {\"template\":{…},\"inputs\":[{…},{…}]}");
        }
        if (templated && (request.template() == null || request.inputs() == null)) {
            String missing = request.template() == null ? "template" : "inputs";
            throw ApiException.invalidField(
                    missing,
                    missing + " is required with " + (missing.equals("template") ? "inputs" : "template"),
                    "{\"template\":{…},\"inputs\":[{…},{…}]}");
        }
        List<ExecRequest> items = listed
                ? request.jobs()
                : request.inputs().stream()
                        .map(input -> merge(request.template(), input))
                        .toList();
        String field = listed ? "jobs" : "inputs";
        if (items.isEmpty() || items.size() > MAX_ITEMS) {
            throw ApiException.invalidField(
                    field,
                    "a batch holds 1 to " + MAX_ITEMS + " jobs, not " + items.size(),
                    "split larger work into several batches");
        }
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) == null) {
                throw ApiException.invalidField(field + "[" + i + "]", "an item is null", "send a JSON object");
            }
        }
        return items;
    }

    /** The template with the input's fields over it; env entries of both. */
    private static ExecRequest merge(ExecRequest template, @Nullable ExecRequest input) {
        if (input == null) {
            return template;
        }
        Map<String, String> env = null;
        if (template.env() != null || input.env() != null) {
            env = new LinkedHashMap<>();
            if (template.env() != null) {
                env.putAll(template.env());
            }
            if (input.env() != null) {
                env.putAll(input.env());
            }
        }
        return new ExecRequest(
                or(input.code(), template.code()),
                or(input.language(), template.language()),
                or(input.timeoutMs(), template.timeoutMs()),
                env,
                or(input.stdin(), template.stdin()),
                or(input.network(), template.network()),
                or(input.maxAttempts(), template.maxAttempts()),
                or(input.priority(), template.priority()),
                or(input.runAt(), template.runAt()),
                or(input.webhookUrl(), template.webhookUrl()));
    }

    private static <T> @Nullable T or(@Nullable T first, @Nullable T second) {
        return first != null ? first : second;
    }

    private static @Nullable Instant instant(@Nullable Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static @Nullable Instant earliest(@Nullable Instant a, @Nullable Instant b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    private static @Nullable Instant latest(@Nullable Instant a, @Nullable Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }
}
