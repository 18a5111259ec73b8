package dev.paperpod.store;

import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.job.ExecResult;
import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobPriority;
import dev.paperpod.schemas.job.JobSpec;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.schemas.job.Timing;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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

    private final JdbcClient jdbc;
    private final WebhookEvents webhooks;

    public PostgresJobStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
        this.webhooks = new WebhookEvents(jdbc);
    }

    @Override
    public void insert(JobRecord job) {
        jdbc.sql(insertSql("")).params(insertParams(job)).update();
    }

    @Override
    public void insertBatch(List<JobRecord> jobs, UUID batchId) {
        int n = jobs.size();
        UUID[] ids = new UUID[n];
        UUID[] accounts = new UUID[n];
        String[] kinds = new String[n];
        String[] specs = new String[n];
        String[] created = new String[n];
        Integer[] maxAttempts = new Integer[n];
        Integer[] priorities = new Integer[n];
        String[] runAts = new String[n];
        for (int i = 0; i < n; i++) {
            JobRecord job = jobs.get(i);
            if (job.status() != JobStatus.QUEUED || !job.isAsync()) {
                throw new IllegalArgumentException("a batch holds new background jobs, not " + job);
            }
            ids[i] = job.id();
            accounts[i] = job.accountId();
            kinds[i] = job.kind();
            specs[i] = json(job.spec());
            created[i] = job.createdAt().toString();
            maxAttempts[i] = job.maxAttempts();
            priorities[i] = job.priority().rank();
            runAts[i] = job.runAt() == null ? null : job.runAt().toString();
        }
        jdbc.sql("""
                        insert into jobs (id, account_id, kind, source, status, attempts, max_attempts, version, spec,
                                          created_at, priority, run_at, batch_id)
                        select u.id, u.account_id, u.kind, 'async', 'QUEUED', 1, u.max_attempts, 0, u.spec::jsonb,
                               u.created_at::timestamptz, u.priority::smallint, u.run_at::timestamptz, ?
                        from unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::int[], ?::int[], ?::text[])
                             as u(id, account_id, kind, spec, created_at, max_attempts, priority, run_at)
                        """)
                .params(batchId, ids, accounts, kinds, specs, created, maxAttempts, priorities, runAts)
                .update();
    }

    @Override
    public void insertIfAbsent(JobRecord job) {
        jdbc.sql(insertSql(" on conflict (id) do nothing"))
                .params(insertParams(job))
                .update();
    }

    @Override
    public JobRecord insertIfAbsentAndFind(JobRecord job) {
        // The inserted row is not visible to the rest of the statement, hence the union.
        return jdbc.sql("with inserted as (" + insertSql(" on conflict (id) do nothing returning " + COLUMNS) + ")"
                        + " select " + COLUMNS + " from inserted"
                        + " union all select " + COLUMNS + " from jobs"
                        + " where id = ? and not exists (select 1 from inserted)")
                .params(concat(insertParams(job), job.id()))
                .query(PostgresJobStore::map)
                .single();
    }

    private static Object[] concat(Object[] params, Object last) {
        Object[] all = java.util.Arrays.copyOf(params, params.length + 1);
        all[params.length] = last;
        return all;
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
        int changed = jdbc.sql("""
                        update jobs set status = ?, attempts = ?, worker_id = ?, next_attempt_at = ?,
                                        cancel_requested_at = ?, started_at = ?, finished_at = ?, result = ?::jsonb,
                                        error = ?::jsonb, timing = ?::jsonb, dispatched_at = ?, version = version + 1,
                                        updated_at = now()
                        where id = ? and version = ?
                        """)
                .params(
                        job.status().name(),
                        job.attempt(),
                        job.workerId(),
                        ts(job.nextAttemptAt()),
                        ts(job.cancelRequestedAt()),
                        ts(job.startedAt()),
                        ts(job.finishedAt()),
                        json(job.result()),
                        json(job.error()),
                        json(job.timing()),
                        ts(job.dispatchedAt()),
                        job.id(),
                        job.version())
                .update();
        if (changed == 0) {
            throw new ConcurrentJobModificationException(job.id(), job.version());
        }
        if (job.status().isTerminal()) {
            jdbc.sql("select pg_notify(?, ?), pg_notify(?, ?)")
                    .params(
                            ACTIVITY_CHANNEL,
                            job.id().toString(),
                            FINISHED_CHANNEL,
                            job.id().toString())
                    .query()
                    .listOfRows();
            webhooks.jobEnded(job);
            completeBatchOf(job.id(), job.finishedAt() != null ? job.finishedAt() : Instant.now());
        } else {
            jdbc.sql("select pg_notify(?, ?)")
                    .params(ACTIVITY_CHANNEL, job.id().toString())
                    .query()
                    .listOfRows();
        }
        return job.saved();
    }

    /** The job's batch is complete once none of its jobs is left to end. */
    private void completeBatchOf(UUID jobId, Instant at) {
        jdbc.sql("""
                        update batches set completed_at = ?
                        where id = (select batch_id from jobs where id = ?) and completed_at is null
                          and not exists (select 1 from jobs j where j.batch_id = batches.id
                                          and j.status in ('QUEUED', 'RUNNING', 'RETRYING'))
                        returning id, account_id
                        """)
                .params(ts(at), jobId)
                .query((rs, row) -> new UUID[] {rs.getObject("id", UUID.class), rs.getObject("account_id", UUID.class)})
                .list()
                .forEach(b -> webhooks.batchCompleted(b[1], b[0], at));
    }

    @Override
    public void output(UUID jobId, int attempt, long seq, String stream, String data, Instant at) {
        // A chunk of a job not recorded (yet) is skipped, in the same statement.
        int stored = jdbc.sql("""
                        insert into job_output (job_id, attempt, seq, stream, data, at)
                        select ?, ?, ?, ?, ?, ? where exists (select 1 from jobs where id = ?)
                        on conflict do nothing
                        """)
                .params(jobId, attempt, seq, stream, data, ts(at), jobId)
                .update();
        if (stored == 1) {
            jdbc.sql("select pg_notify(?, ?)")
                    .params(ACTIVITY_CHANNEL, jobId.toString())
                    .query()
                    .listOfRows();
        }
    }

    @Override
    public int completeBatches(Instant now) {
        List<UUID[]> completed = jdbc.sql("""
                        update batches set completed_at = ?
                        where completed_at is null
                          and not exists (select 1 from jobs j where j.batch_id = batches.id
                                          and j.status in ('QUEUED', 'RUNNING', 'RETRYING'))
                        returning id, account_id
                        """)
                .param(ts(now))
                .query((rs, row) -> new UUID[] {rs.getObject("id", UUID.class), rs.getObject("account_id", UUID.class)})
                .list();
        completed.forEach(b -> webhooks.batchCompleted(b[1], b[0], now));
        return completed.size();
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
    public void attemptRan(
            UUID jobId,
            int attempt,
            String workerId,
            @Nullable String sandboxId,
            Instant startedAt,
            Instant endedAt,
            String outcome,
            @Nullable JobError error) {
        // As attemptStarted then attemptEnded: an attempt already ended keeps its first end.
        jdbc.sql("""
                        insert into job_attempts (job_id, attempt, worker_id, sandbox_id, started_at, finished_at,
                                                  verdict, error)
                        values (?, ?, ?, ?, ?, ?, ?, ?::jsonb)
                        on conflict (job_id, attempt) do update
                        set worker_id = excluded.worker_id, sandbox_id = excluded.sandbox_id,
                            started_at = excluded.started_at, finished_at = excluded.finished_at,
                            verdict = excluded.verdict, error = excluded.error,
                            redeliveries = job_attempts.redeliveries
                                + case when job_attempts.worker_id <> excluded.worker_id then 1 else 0 end
                        where job_attempts.finished_at is null
                        """)
                .params(jobId, attempt, workerId, sandboxId, ts(startedAt), ts(endedAt), outcome, json(error))
                .update();
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
                json(rs, "result", ExecResult.class),
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

    private static @Nullable String json(@Nullable Object value) {
        return value == null ? null : Wire.writeString(value);
    }
}
