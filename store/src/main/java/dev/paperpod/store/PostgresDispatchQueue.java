package dev.paperpod.store;

import dev.paperpod.schemas.job.JobKind;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/** {@link DispatchQueue} on the {@code jobs} table. */
public final class PostgresDispatchQueue implements DispatchQueue {

    /** Held by the dispatching transaction: several schedulers never hand out the same slots twice. */
    private static final long DISPATCH_LOCK = 0x7061_7065_7270_6f64L; // "paperpod"

    /**
     * Due waiting jobs of one job's kind with their turn within their account, the order the dispatcher hands them out
     * in. Parameters: now, the job.
     */
    private static final String RANKED = """
            select j.id, j.account_id, j.priority, j.created_at,
                   row_number() over (partition by j.account_id order by j.priority, j.created_at) as turn
            from jobs j
            where j.status = 'QUEUED' and j.dispatched_at is null and (j.run_at is null or j.run_at <= ?)
              and j.kind = (select kind from jobs where id = ?)
            """;

    /**
     * The next jobs of one kind to dispatch, in the order of {@link #RANKED} (priority, turn within the account,
     * age), each account within its room. Reads no more than it needs, whatever the backlog: the accounts with
     * waiting jobs (of any kind) are found by skipping through {@code jobs_waiting_account} (one index probe per
     * account), and each account's first {@code min(room, slots)} due jobs of the kind come from the same index in
     * order — a job further back in an account has at least {@code slots} jobs before it in the overall order.
     * Parameters: the default concurrency, slots, the kind, now, slots.
     */
    private static final String NEXT = """
            with recursive waiting_accounts(account_id) as (
                (select account_id from jobs where status = 'QUEUED' and dispatched_at is null
                 order by account_id limit 1)
                union all
                select (select j.account_id from jobs j
                        where j.status = 'QUEUED' and j.dispatched_at is null and j.account_id > w.account_id
                        order by j.account_id limit 1)
                from waiting_accounts w where w.account_id is not null
            ), busy as (
                select account_id, count(*) as n from jobs
                where status = 'RUNNING' or (status = 'QUEUED' and dispatched_at is not null)
                group by account_id
            ), room as (
                select w.account_id, least(coalesce(a.max_concurrency, ?) - coalesce(b.n, 0), ?) as n
                from waiting_accounts w
                left join busy b on b.account_id = w.account_id
                left join accounts a on a.id = w.account_id
                where w.account_id is not null
            ), candidates as (
                select c.id, c.priority, c.created_at,
                       row_number() over (partition by r.account_id order by c.priority, c.created_at) as turn
                from room r
                cross join lateral (
                    select j.id, j.priority, j.created_at from jobs j
                    where j.account_id = r.account_id and j.kind = ? and j.status = 'QUEUED'
                      and j.dispatched_at is null and (j.run_at is null or j.run_at <= ?)
                    order by j.priority, j.created_at
                    limit greatest(r.n, 0)
                ) c
            )
            select id from candidates order by priority, turn, created_at limit ?
            """;

    private final JdbcClient jdbc;

    public PostgresDispatchQueue(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void announceWaiting() {
        jdbc.sql("select pg_notify(?, '')").param(WAITING_CHANNEL).query().listOfRows();
    }

    @Override
    public List<Dispatched> takeNext(JobKind kind, List<Integer> partitions, int defaultConcurrency, Instant now) {
        int slots = partitions.size();
        if (slots == 0) {
            return List.of();
        }
        List<UUID> ids = jdbc.sql(NEXT)
                .params(defaultConcurrency, slots, kind.wireName(), Timestamp.from(now), slots)
                .query(UUID.class)
                .list();
        if (ids.isEmpty()) {
            return List.of();
        }
        // A statement of its own, the jobs given as an array: joined with the query above, the update was planned,
        // with the statistics of a queue that had just grown by thousands, as a hash join over every waiting job
        // (12-17 ms a round, EXPLAIN ANALYZE during a run) instead of a look-up by key. The i-th job goes to the
        // i-th partition; a job taken meanwhile (status or dispatched_at changed) is left out, and the answer comes
        // back in the dispatch order.
        return jdbc
                .sql("update jobs set dispatched_at = ?, dispatch_partition = u.slot, version = version + 1,"
                        + " updated_at = now()"
                        + " from unnest(?::uuid[], ?::int[]) with ordinality as u(job_id, slot, turn)"
                        + " where jobs.id = any(?::uuid[]) and jobs.id = u.job_id"
                        + " and jobs.status = 'QUEUED' and jobs.dispatched_at is null"
                        + " returning u.turn, u.slot, " + PostgresJobStore.COLUMNS)
                .params(
                        Timestamp.from(now),
                        ids.toArray(UUID[]::new),
                        partitions.subList(0, ids.size()).toArray(Integer[]::new),
                        ids.toArray(UUID[]::new))
                .query((rs, row) -> new Object[] {
                    rs.getLong("turn"), new Dispatched(PostgresJobStore.map(rs, row), rs.getInt("slot"))
                })
                .list()
                .stream()
                .sorted(Comparator.comparingLong(r -> (Long) r[0]))
                .map(r -> (Dispatched) r[1])
                .toList();
    }

    @Override
    public Room room(Instant since) {
        boolean[] locked = {false};
        Map<JobKind, Integer> capacity = new HashMap<>();
        Map<JobKind, Integer> totals = new HashMap<>();
        Map<JobKind, Map<Integer, Integer>> byPartition = new HashMap<>();
        // The lock's row, a row per kind with capacity, a row per kind and partition with jobs in flight (a null
        // partition: sync jobs). The lock comes first: the figures count only for the round that holds it.
        jdbc.sql("""
                        select 'lock' as what, null as kind, null::int as part, pg_try_advisory_xact_lock(?)::int as n
                        union all
                        select 'capacity', c.kind, null, sum(c.max)::int from worker_capacity c
                        join workers w on w.worker_id = c.worker_id where w.last_seen >= ? group by c.kind
                        union all
                        select 'flight', kind, dispatch_partition, count(*)::int from jobs
                        where status = 'RUNNING' or (status = 'QUEUED' and dispatched_at is not null)
                        group by kind, dispatch_partition
                        """).params(DISPATCH_LOCK, Timestamp.from(since)).query(rs -> {
            String what = rs.getString("what");
            int n = rs.getInt("n");
            if (what.equals("lock")) {
                locked[0] = n == 1;
                return;
            }
            JobKind kind = JobKind.of(rs.getString("kind"));
            if (what.equals("capacity")) {
                capacity.put(kind, n);
                return;
            }
            totals.merge(kind, n, Integer::sum);
            int partition = rs.getInt("part");
            if (!rs.wasNull()) {
                byPartition.computeIfAbsent(kind, k -> new HashMap<>()).put(partition, n);
            }
        });
        Map<JobKind, InFlight> inFlight = new HashMap<>();
        totals.forEach((kind, total) ->
                inFlight.put(kind, new InFlight(total, Map.copyOf(byPartition.getOrDefault(kind, Map.of())))));
        return new Room(locked[0], Map.copyOf(capacity), Map.copyOf(inFlight));
    }

    @Override
    public OptionalLong position(UUID jobId, Instant now) {
        return jdbc.sql("with ranked as (" + RANKED + """
                        ), ordered as (
                            select id, row_number() over (order by priority, turn, created_at) - 1 as ahead from ranked
                        )
                        select ahead from ordered where id = ?
                        """)
                .params(Timestamp.from(now), jobId, jobId)
                .query(Long.class)
                .optional()
                .map(OptionalLong::of)
                .orElse(OptionalLong.empty());
    }

    @Override
    public long waiting(UUID accountId, long atMost) {
        return jdbc.sql("""
                        select count(*) from (
                            select 1 from jobs where account_id = ? and status = 'QUEUED' and dispatched_at is null
                            limit ?
                        ) w""").params(accountId, atMost).query(Long.class).single();
    }

    @Override
    public OptionalLong maxQueued(UUID accountId) {
        return jdbc.sql("select max_queued from accounts where id = ? and max_queued is not null")
                .param(accountId)
                .query(Long.class)
                .optional()
                .map(OptionalLong::of)
                .orElse(OptionalLong.empty());
    }

    @Override
    public long endedSince(Instant since) {
        return jdbc.sql("select count(*) from jobs where finished_at >= ?")
                .param(Timestamp.from(since))
                .query(Long.class)
                .single();
    }
}
