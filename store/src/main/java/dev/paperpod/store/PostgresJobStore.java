package dev.paperpod.store;

import static dev.paperpod.store.Unnest.column;

import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobPriority;
import dev.paperpod.schemas.job.JobResult;
import dev.paperpod.schemas.job.JobSpec;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.schemas.job.Timing;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

/** {@link JobStore} on the {@code jobs} and {@code job_attempts} tables. */
public final class PostgresJobStore implements JobStore {

    /** The columns {@link #map} reads; unqualified, for statements over {@code jobs} alone or with a function. */
    static final String COLUMNS = """
            id, account_id, kind, source, status, attempts, max_attempts, version, worker_id, next_attempt_at,
            cancel_requested_at, created_at, started_at, finished_at, spec::text as spec, result::text as result,
            error::text as error, timing::text as timing, priority, run_at, dispatched_at""";

    /**
     * The statuses of jobs not ended yet, as an SQL list, from {@link JobStatus#isTerminal()}: statements name it
     * {@code {unfinished}} ({@link #withStatuses}), so the store's idea of "ended" is the state machine's.
     */
    static final String UNFINISHED = java.util.Arrays.stream(JobStatus.values())
            .filter(s -> !s.isTerminal())
            .map(s -> "'" + s.name() + "'")
            .collect(java.util.stream.Collectors.joining(", ", "(", ")"));

    /** {@code sql} with its {@code {unfinished}} the list of statuses of jobs not ended yet. */
    static String withStatuses(String sql) {
        return sql.replace("{unfinished}", UNFINISHED);
    }

    /** A batch at least this large refreshes the statistics of the jobs table ({@link #insertBatch}). */
    static final int ANALYZED_BATCH = 1000;

    private final JdbcClient jdbc;
    private final WebhookEvents webhooks;
    private final Clock clock;

    public PostgresJobStore(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.webhooks = new WebhookEvents(jdbc, new Notifications(jdbc), clock);
        this.clock = clock;
    }

    @Override
    public void insert(JobRecord job) {
        jdbc.sql(insertSql("")).params(insertParams(job)).update();
    }

    @Override
    public void insertBatch(List<JobRecord> jobs, UUID batchId) {
        for (JobRecord job : jobs) {
            if (job.status() != JobStatus.QUEUED || !job.isAsync()) {
                throw new IllegalArgumentException("a batch holds new background jobs, not " + job);
            }
        }
        jdbc.sql("""
                        insert into jobs (id, account_id, kind, source, status, attempts, max_attempts, version, spec,
                                          created_at, priority, run_at, batch_id)
                        select u.id, u.account_id, u.kind, 'async', 'QUEUED', 1, u.max_attempts, 0, u.spec::jsonb,
                               u.created_at::timestamptz, u.priority::smallint, u.run_at::timestamptz, ?
                        from unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::int[], ?::int[], ?::text[])
                             as u(id, account_id, kind, spec, created_at, max_attempts, priority, run_at)
                        """)
                .params(
                        batchId,
                        column(jobs, JobRecord::id, UUID[]::new),
                        column(jobs, JobRecord::accountId, UUID[]::new),
                        column(jobs, JobRecord::kind, String[]::new),
                        column(jobs, j -> json(j.spec()), String[]::new),
                        column(jobs, j -> text(j.createdAt()), String[]::new),
                        column(jobs, JobRecord::maxAttempts, Integer[]::new),
                        column(jobs, j -> j.priority().rank(), Integer[]::new),
                        column(jobs, j -> text(j.runAt()), String[]::new))
                .update();
        if (jobs.size() >= ANALYZED_BATCH) {
            // The queue grew by thousands at once, and until autovacuum's next analyze (autovacuum_naptime, then
            // the analyze itself: seconds) the dispatcher's statements were planned as for the queue before: its
            // count of jobs in flight walked an index of every waiting job (16 ms a round instead of 0.2, EXPLAIN
            // ANALYZE during a run). The rows of this transaction count for the sample.
            jdbc.sql("analyze jobs (status, dispatched_at, dispatch_partition, account_id, priority, created_at,"
                            + " run_at)")
                    .update();
        }
    }

    @Override
    public void insertIfAbsent(JobRecord job) {
        jdbc.sql(insertSql(" on conflict (id) do nothing"))
                .params(insertParams(job))
                .update();
    }

    @Override
    public JobRecord insertIfAbsentAndFind(JobRecord job) {
        return Objects.requireNonNull(insertIfAbsentAndFindAll(List.of(job)).get(job.id()));
    }

    @Override
    public Map<UUID, JobRecord> insertIfAbsentAndFindAll(List<JobRecord> jobs) {
        return recordEventsAndFindAll(List.of(), jobs).jobs();
    }

    @Override
    public Arrivals recordEventsAndFindAll(Collection<UUID> eventIds, List<JobRecord> jobs) {
        Set<UUID> fresh = new HashSet<>();
        Map<UUID, JobRecord> found = new HashMap<>();
        if (eventIds.isEmpty() && jobs.isEmpty()) {
            return new Arrivals(fresh, found);
        }
        UUID[] ids = column(jobs, JobRecord::id, UUID[]::new);
        // The inserted rows are not visible to the rest of the statement, hence the union. The event ids recorded
        // come with every row, and with a row of nulls when there is no job.
        jdbc.sql("""
                        with fresh as (
                            insert into processed_events (event_id) select unnest(?::uuid[])
                            on conflict do nothing returning event_id
                        ), inserted as (
                            insert into jobs (id, account_id, kind, source, status, attempts, max_attempts, version,
                                              spec, created_at, priority, run_at, dispatched_at)
                            select u.id, u.account_id, u.kind, u.source, u.status, u.attempts, u.max_attempts, 0,
                                   u.spec::jsonb, u.created_at::timestamptz, u.priority::smallint,
                                   u.run_at::timestamptz, u.dispatched_at::timestamptz
                            from unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::int[], ?::int[],
                                        ?::text[], ?::text[], ?::int[], ?::text[], ?::text[])
                                 as u(id, account_id, kind, source, status, attempts, max_attempts, spec, created_at,
                                      priority, run_at, dispatched_at)
                            on conflict (id) do nothing
                            returning %1$s
                        ), found as (
                            select %1$s from inserted
                            union all select %1$s from jobs where id = any(?) and id not in (select id from inserted)
                        )
                        select (select array_agg(event_id) from fresh) as fresh_events, found.*
                        from (values (1)) as one(x) left join found on true
                        """.formatted(COLUMNS))
                .params(
                        eventIds.toArray(UUID[]::new),
                        ids,
                        column(jobs, JobRecord::accountId, UUID[]::new),
                        column(jobs, JobRecord::kind, String[]::new),
                        column(jobs, JobRecord::source, String[]::new),
                        column(jobs, j -> j.status().name(), String[]::new),
                        column(jobs, JobRecord::attempt, Integer[]::new),
                        column(jobs, JobRecord::maxAttempts, Integer[]::new),
                        column(jobs, j -> json(j.spec()), String[]::new),
                        column(jobs, j -> text(j.createdAt()), String[]::new),
                        column(jobs, j -> j.priority().rank(), Integer[]::new),
                        column(jobs, j -> text(j.runAt()), String[]::new),
                        column(jobs, j -> text(j.dispatchedAt()), String[]::new),
                        ids)
                .query(rs -> {
                    Array events = rs.getArray("fresh_events");
                    if (rs.getRow() == 1 && events != null) { // the same on every row
                        fresh.addAll(List.of((UUID[]) events.getArray()));
                    }
                    if (rs.getObject("id") != null) {
                        JobRecord job = map(rs, rs.getRow());
                        found.put(job.id(), job);
                    }
                });
        return new Arrivals(fresh, found);
    }

    private static String insertSql(String onConflict) {
        return """
                insert into jobs (id, account_id, kind, source, status, attempts, max_attempts, version, spec,
                                  created_at, priority, run_at, dispatched_at)
                values (?, ?, ?, ?, ?, ?, ?, 0, ?::jsonb, ?, ?, ?, ?)""" + onConflict;
    }

    private static Object[] insertParams(JobRecord job) {
        return new Object[] {
            job.id(),
            job.accountId(),
            job.kind(),
            job.source(),
            job.status().name(),
            job.attempt(),
            job.maxAttempts(),
            json(job.spec()),
            ts(job.createdAt()),
            job.priority().rank(),
            ts(job.runAt()),
            ts(job.dispatchedAt())
        };
    }

    @Override
    public void recordSpec(UUID jobId, JobSpec spec, Instant submittedAt) {
        jdbc.sql("update jobs set spec = coalesce(spec, ?::jsonb), created_at = least(created_at, ?) where id = ?")
                .params(Wire.writeString(spec), Timestamp.from(submittedAt), jobId)
                .update();
    }

    @Override
    public Optional<JobRecord> find(UUID jobId) {
        return jdbc.sql("select " + COLUMNS + " from jobs where id = ?")
                .param(jobId)
                .query(PostgresJobStore::map)
                .optional();
    }

    @Override
    public List<JobRecord> list(
            UUID accountId,
            Set<JobStatus> statuses,
            @Nullable String kind,
            @Nullable UUID batchId,
            @Nullable Position after,
            int limit) {
        StringBuilder sql = new StringBuilder("select " + COLUMNS + " from jobs where account_id = ?");
        List<Object> params = new ArrayList<>(List.of(accountId));
        if (!statuses.isEmpty()) {
            sql.append(" and status = any(?)");
            params.add(statuses.stream().map(Enum::name).toArray(String[]::new));
        }
        if (kind != null) {
            sql.append(" and kind = ?");
            params.add(kind);
        }
        if (batchId != null) {
            sql.append(" and batch_id = ?");
            params.add(batchId);
        }
        if (after != null) {
            sql.append(" and (created_at, id) < (?, ?)");
            params.add(ts(after.createdAt()));
            params.add(after.id());
        }
        sql.append(" order by created_at desc, id desc limit ?");
        params.add(limit);
        return jdbc.sql(sql.toString())
                .params(params)
                .query(PostgresJobStore::map)
                .list();
    }

    @Override
    public JobRecord save(JobRecord job) {
        if (!saveAll(List.of(job)).isEmpty()) {
            throw new ConcurrentJobModificationException(job.id(), job.version());
        }
        return job.saved();
    }

    @Override
    public List<JobRecord> saveAll(List<JobRecord> jobs) {
        if (jobs.isEmpty()) {
            return List.of();
        }
        UUID[] ids = column(jobs, JobRecord::id, UUID[]::new);
        if (new HashSet<>(List.of(ids)).size() != ids.length) { // one update would take only one of a job's rows
            throw new IllegalArgumentException("saveAll takes each job once");
        }
        List<Object> params = new ArrayList<>(List.of(
                ids,
                column(jobs, JobRecord::version, Integer[]::new),
                column(jobs, j -> j.status().name(), String[]::new),
                column(jobs, JobRecord::attempt, Integer[]::new),
                column(jobs, JobRecord::workerId, String[]::new),
                column(jobs, j -> text(j.nextAttemptAt()), String[]::new),
                column(jobs, j -> text(j.cancelRequestedAt()), String[]::new),
                column(jobs, j -> text(j.startedAt()), String[]::new),
                column(jobs, j -> text(j.finishedAt()), String[]::new),
                column(jobs, j -> json(j.result()), String[]::new),
                column(jobs, j -> json(j.error()), String[]::new),
                column(jobs, j -> json(j.timing()), String[]::new),
                column(jobs, j -> text(j.dispatchedAt()), String[]::new),
                column(jobs, j -> text(j.createdAt()), String[]::new)));
        Instant now = clock.instant();
        params.addAll(List.of(
                ts(now), // the deliveries' creation
                now.toString(), // their events' time, for a job without an end time
                ts(now), // the batches' completion, for jobs without an end time
                ACTIVITY_CHANNEL,
                FINISHED_CHANNEL,
                WebhookEvents.CHANNEL));
        // One statement, one round trip: the save; for the jobs it ended, their webhook deliveries and the
        // completion of batches with no job left to end (the other statements of the batch see the jobs as they
        // were before the save, so the ended ones are left out of the check); the notifications (PostgreSQL sends
        // them on commit, each once).
        Set<UUID> written = new HashSet<>();
        List<Completed> completed = new ArrayList<>();
        jdbc.sql(withStatuses("""
                        with saved as (
                            update jobs set status = u.status, attempts = u.attempts, worker_id = u.worker_id,
                                            next_attempt_at = u.next_attempt_at::timestamptz,
                                            cancel_requested_at = u.cancel_requested_at::timestamptz,
                                            started_at = u.started_at::timestamptz,
                                            finished_at = u.finished_at::timestamptz,
                                            result = u.result::jsonb, error = u.error::jsonb, timing = u.timing::jsonb,
                                            dispatched_at = u.dispatched_at::timestamptz, version = jobs.version + 1,
                                            updated_at = now()
                            from unnest(?::uuid[], ?::int[], ?::text[], ?::int[], ?::text[], ?::text[], ?::text[],
                                        ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                                 as u(id, version, status, attempts, worker_id, next_attempt_at, cancel_requested_at,
                                      started_at, finished_at, result, error, timing, dispatched_at, created_at)
                            where jobs.id = u.id and jobs.version = u.version
                            returning jobs.id, jobs.account_id, jobs.kind, jobs.status, jobs.attempts, jobs.result,
                                      jobs.error, jobs.batch_id, jobs.finished_at, u.created_at as created_text,
                                      u.started_at as started_text, u.finished_at as finished_text),
                        ended as (select * from saved where status not in {unfinished}),
                        delivered as (%s returning 1),
                        completed as (
                            update batches set completed_at = coalesce((select max(finished_at) from ended), ?)
                            where id in (select batch_id from ended)
                              and completed_at is null
                              and not exists (select 1 from jobs j where j.batch_id = batches.id
                                              and j.status in {unfinished}
                                              and j.id not in (select id from ended))
                            returning id, account_id, completed_at)
                        select 'saved' as what, s.id, null::uuid as account_id, null::timestamptz as completed_at,
                               pg_notify(?, s.id::text) as activity,
                               case when s.id in (select id from ended) then pg_notify(?, s.id::text) end as finished
                        from saved s
                        union all
                        select 'completed', c.id, c.account_id, c.completed_at, null, null from completed c
                        union all
                        select 'delivered', null, null, null, pg_notify(?, ''), null
                        where exists (select 1 from delivered)
                        """.formatted(WebhookEvents.insertSql(WebhookEvents.jobsEndedSql("ended"), "jobs"))))
                .params(params)
                .query((rs, row) -> {
                    switch (rs.getString("what")) {
                        case "saved" -> written.add(rs.getObject("id", UUID.class));
                        case "completed" -> completed.add(Completed.map(rs, row));
                        default -> {}
                    }
                    return row;
                })
                .list();
        completed.forEach(this::announce);
        List<JobRecord> lost = new ArrayList<>(jobs.size() - written.size());
        for (JobRecord job : jobs) {
            if (!written.contains(job.id())) {
                lost.add(job);
            }
        }
        return lost;
    }

    @Override
    public void outputs(List<Output> chunks) {
        if (chunks.isEmpty()) {
            return;
        }
        List<Object> params = new ArrayList<>(outputColumns(chunks));
        params.add(ACTIVITY_CHANNEL);
        jdbc.sql("with stored as (" + INSERT_OUTPUT + ")\n" + ANNOUNCE_OUTPUT)
                .params(params)
                .query()
                .listOfRows();
    }

    /**
     * Chunks of jobs not recorded (yet) are skipped, in the same statement. Its relation of chunks is {@code
     * unnest(?::uuid[], ?::int[], ?::bigint[], ?::text[], ?::text[], ?::text[])}: {@link #outputColumns}.
     */
    private static final String INSERT_OUTPUT = """
            insert into job_output (job_id, attempt, seq, stream, data, at)
            select u.job_id, u.attempt, u.seq, u.stream, u.data, u.at::timestamptz
            from unnest(?::uuid[], ?::int[], ?::bigint[], ?::text[], ?::text[], ?::text[])
                 as u(job_id, attempt, seq, stream, data, at)
            where exists (select 1 from jobs where id = u.job_id)
            on conflict do nothing
            returning job_id""";

    /** After {@link #INSERT_OUTPUT} as {@code stored}: notifies each job that got output (sent on commit). */
    private static final String ANNOUNCE_OUTPUT =
            "select pg_notify(?, s.job_id::text) from (select distinct job_id from stored) s";

    private static List<Object> outputColumns(List<Output> chunks) {
        return List.of(
                column(chunks, Output::jobId, UUID[]::new),
                column(chunks, Output::attempt, Integer[]::new),
                column(chunks, Output::seq, Long[]::new),
                column(chunks, Output::stream, String[]::new),
                column(chunks, Output::data, String[]::new),
                column(chunks, c -> text(c.at()), String[]::new));
    }

    @Override
    public List<Attempt> attempts(UUID jobId) {
        return jdbc.sql("""
                        select attempt, worker_id, sandbox_id, started_at, finished_at, verdict, error::text as error
                        from job_attempts where job_id = ? order by attempt
                        """)
                .param(jobId)
                .query((rs, row) -> new Attempt(
                        rs.getInt("attempt"),
                        rs.getString("worker_id"),
                        rs.getString("sandbox_id"),
                        Objects.requireNonNull(instant(rs, "started_at")),
                        instant(rs, "finished_at"),
                        rs.getString("verdict"),
                        json(rs, "error", JobError.class)))
                .list();
    }

    @Override
    public List<Output> output(UUID jobId, int fromAttempt, long afterSeq) {
        return jdbc.sql("""
                        select job_id, attempt, seq, stream, data, at from job_output
                        where job_id = ? and (attempt > ? or (attempt = ? and seq > ?)) order by attempt, seq
                        """)
                .params(jobId, fromAttempt, fromAttempt, afterSeq)
                .query((rs, row) -> new Output(
                        rs.getObject("job_id", UUID.class),
                        rs.getInt("attempt"),
                        rs.getLong("seq"),
                        rs.getString("stream"),
                        rs.getString("data"),
                        Objects.requireNonNull(instant(rs, "at"))))
                .list();
    }

    @Override
    public int completeBatches(Instant now) {
        List<Completed> completed =
                jdbc.sql(withStatuses("""
                        update batches set completed_at = ?
                        where completed_at is null
                          and not exists (select 1 from jobs j where j.batch_id = batches.id
                                          and j.status in {unfinished})
                        returning id, account_id, completed_at
                        """)).param(ts(now)).query(Completed::map).list();
        completed.forEach(this::announce);
        return completed.size();
    }

    /** A batch just marked complete. */
    private record Completed(UUID id, UUID accountId, Instant at) {
        static Completed map(ResultSet rs, int row) throws SQLException {
            return new Completed(
                    rs.getObject("id", UUID.class),
                    rs.getObject("account_id", UUID.class),
                    Objects.requireNonNull(instant(rs, "completed_at")));
        }
    }

    private void announce(Completed batch) {
        webhooks.batchCompleted(batch.accountId(), batch.id(), batch.at());
    }

    @Override
    public List<JobRecord> dueRetries(Instant now, int limit) {
        return jdbc.sql("select " + COLUMNS + """
                         from jobs where status = 'RETRYING' and next_attempt_at <= ?
                        order by next_attempt_at limit ? for update skip locked
                        """)
                .params(ts(now), limit)
                .query(PostgresJobStore::map)
                .list();
    }

    @Override
    public List<JobRecord> runningOnSilentWorkers(Instant seenBefore, int limit) {
        return jdbc.sql("select " + COLUMNS + """
                         from jobs
                        where status = 'RUNNING' and updated_at < ?
                          and not exists (select 1 from workers w where w.worker_id = jobs.worker_id and w.last_seen >= ?)
                        order by updated_at limit ? for update skip locked
                        """)
                .params(ts(seenBefore), ts(seenBefore), limit)
                .query(PostgresJobStore::map)
                .list();
    }

    @Override
    public List<JobRecord> runningPastDeadline(Instant now, long graceMs, int limit) {
        return jdbc.sql("select " + COLUMNS + """
                         from jobs
                        where status = 'RUNNING' and started_at is not null
                          and started_at + make_interval(secs => (coalesce((spec->>'timeoutMs')::bigint, 0) + ?) / 1000.0) < ?
                        order by started_at limit ? for update skip locked
                        """)
                .params(graceMs, ts(now), limit)
                .query(PostgresJobStore::map)
                .list();
    }

    @Override
    public void attemptStarted(UUID jobId, int attempt, String workerId, @Nullable String sandboxId, Instant at) {
        jdbc.sql("""
                        insert into job_attempts (job_id, attempt, worker_id, sandbox_id, started_at)
                        values (?, ?, ?, ?, ?)
                        on conflict (job_id, attempt) do update
                        set worker_id = excluded.worker_id, sandbox_id = excluded.sandbox_id,
                            started_at = excluded.started_at, redeliveries = job_attempts.redeliveries + 1
                        where job_attempts.finished_at is null and job_attempts.worker_id <> excluded.worker_id
                        """).params(jobId, attempt, workerId, sandboxId, ts(at)).update();
    }

    @Override
    public void attemptEnded(UUID jobId, int attempt, Instant at, String outcome, @Nullable JobError error) {
        jdbc.sql("""
                        update job_attempts set finished_at = ?, verdict = ?, error = ?::jsonb
                        where job_id = ? and attempt = ? and finished_at is null
                        """).params(ts(at), outcome, json(error), jobId, attempt).update();
    }

    @Override
    public void attemptsRan(List<AttemptRan> ran, List<Output> output) {
        if (ran.isEmpty()) {
            outputs(output);
            return;
        }
        List<Object> params = new ArrayList<>(List.of(
                column(ran, AttemptRan::jobId, UUID[]::new),
                column(ran, AttemptRan::attempt, Integer[]::new),
                column(ran, AttemptRan::workerId, String[]::new),
                column(ran, AttemptRan::sandboxId, String[]::new),
                column(ran, a -> text(a.startedAt()), String[]::new),
                column(ran, a -> text(a.endedAt()), String[]::new),
                column(ran, AttemptRan::outcome, String[]::new),
                column(ran, a -> json(a.error()), String[]::new)));
        params.addAll(outputColumns(output));
        params.add(ACTIVITY_CHANNEL);
        // As attemptStarted then attemptEnded: an attempt already ended keeps its first end. The output in the same
        // statement: one round trip.
        jdbc.sql("""
                        with attempts as (
                        insert into job_attempts (job_id, attempt, worker_id, sandbox_id, started_at, finished_at,
                                                  verdict, error)
                        select u.job_id, u.attempt, u.worker_id, u.sandbox_id, u.started_at::timestamptz,
                               u.finished_at::timestamptz, u.verdict, u.error::jsonb
                        from unnest(?::uuid[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                                    ?::text[])
                             as u(job_id, attempt, worker_id, sandbox_id, started_at, finished_at, verdict, error)
                        on conflict (job_id, attempt) do update
                        set worker_id = excluded.worker_id, sandbox_id = excluded.sandbox_id,
                            started_at = excluded.started_at, finished_at = excluded.finished_at,
                            verdict = excluded.verdict, error = excluded.error,
                            redeliveries = job_attempts.redeliveries
                                + case when job_attempts.worker_id <> excluded.worker_id then 1 else 0 end
                        where job_attempts.finished_at is null),
                        stored as (%s)
                        %s
                        """.formatted(INSERT_OUTPUT, ANNOUNCE_OUTPUT))
                .params(params)
                .query()
                .listOfRows();
    }

    static JobRecord map(ResultSet rs, int row) throws SQLException {
        return new JobRecord(
                rs.getObject("id", UUID.class),
                rs.getObject("account_id", UUID.class),
                rs.getString("kind"),
                rs.getString("source"),
                JobStatus.valueOf(rs.getString("status")),
                rs.getInt("attempts"),
                rs.getInt("max_attempts"),
                rs.getInt("version"),
                rs.getString("worker_id"),
                instant(rs, "next_attempt_at"),
                instant(rs, "cancel_requested_at"),
                Optional.ofNullable(instant(rs, "created_at")).orElseThrow(),
                instant(rs, "started_at"),
                instant(rs, "finished_at"),
                json(rs, "spec", JobSpec.class),
                json(rs, "result", JobResult.class),
                json(rs, "error", JobError.class),
                json(rs, "timing", Timing.class),
                JobPriority.ofRank(rs.getInt("priority")),
                instant(rs, "run_at"),
                instant(rs, "dispatched_at"));
    }

    static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    static <T> @Nullable T json(ResultSet rs, String column, Class<T> type) throws SQLException {
        String text = rs.getString(column);
        return text == null ? null : Wire.read(text, type);
    }

    private static @Nullable Timestamp ts(@Nullable Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    /** An instant as PostgreSQL reads it back with {@code ::timestamptz}, for array parameters. */
    private static @Nullable String text(@Nullable Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static @Nullable String json(@Nullable Object value) {
        return value == null ? null : Wire.writeString(value);
    }
}
