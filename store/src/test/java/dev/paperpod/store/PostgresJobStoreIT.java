package dev.paperpod.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paperpod.embedded.PostgresServer;
import dev.paperpod.schemas.job.Egress;
import dev.paperpod.schemas.job.ExecResult;
import dev.paperpod.schemas.job.ExecSpec;
import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobPriority;
import dev.paperpod.schemas.job.JobStateMachine;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.schemas.job.Language;
import dev.paperpod.schemas.job.Verdict;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The job store against a real PostgreSQL: version-checked saves, and the state machine guarding every change. */
class PostgresJobStoreIT {

    @TempDir
    static Path home;

    static PostgresServer postgres;
    static javax.sql.DataSource dataSource;
    static JdbcClient jdbc;
    static JobStore store;

    @BeforeAll
    static void start() throws Exception {
        postgres = PostgresServer.start(home.resolve("pg"), 0, "paperpod");
        Flyway.configure()
                .dataSource(postgres.jdbcUrl(), postgres.user(), postgres.password())
                .locations("classpath:db/migration")
                .load()
                .migrate();
        dataSource = postgres.dataSource(); // one instance: a transaction's connection is found by it
        jdbc = JdbcClient.create(dataSource);
        store = new PostgresJobStore(jdbc, java.time.Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        postgres.close();
    }

    @Test
    void aSaveFromAStaleReadIsRefusedAndChangesNothing() {
        JobRecord queued = insertQueued();
        JobRecord running = store.save(queued.started(1, "w-1", now()));
        assertThat(running.version()).isEqualTo(1);

        // Someone else read the job before it started and now tries to cancel it from that old picture.
        JobRecord staleCancel = queued.ended(
                JobStatus.CANCELED, null, new JobError("CANCELED", "by the client", false), null, null, now());
        assertThatThrownBy(() -> store.save(staleCancel)).isInstanceOf(ConcurrentJobModificationException.class);

        JobRecord now = store.find(queued.id()).orElseThrow();
        assertThat(now.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(now.workerId()).isEqualTo("w-1");
        assertThat(now.version()).isEqualTo(1);
    }

    @Test
    void aJobRoundTripsThroughItsLifeWithTheNextAttemptCounted() {
        JobRecord job = insertQueued();
        job = store.save(job.started(1, "w-1", now()));
        Instant due = now().plusSeconds(5);
        job = store.save(job.retrying(new JobError("SANDBOX_LOST", "gone", true), due));
        assertThat(store.find(job.id()).orElseThrow())
                .extracting(JobRecord::status, JobRecord::nextAttemptAt, JobRecord::attempt)
                .containsExactly(JobStatus.RETRYING, due, 1);

        job = store.save(job.requeued());
        assertThat(job.attempt()).isEqualTo(2);
        assertThat(job.canRetry()).isTrue();
        job = store.save(job.started(2, "w-2", now()));
        store.save(job.ended(JobStatus.SUCCEEDED, null, null, null, null, now()));

        JobRecord done = store.find(job.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.version()).isEqualTo(5);
        assertThat(done.nextAttemptAt()).isNull();
        assertThat(done.canRetry()).isTrue(); // attempts left, but an ended job never moves again:
        assertThatThrownBy(done::requeued).isInstanceOf(JobStateMachine.IllegalJobTransitionException.class);
    }

    @Test
    void aSyncJobHasNoRetriesAndACanceledRunBlocksThem() {
        JobRecord job = insertQueued();
        assertThat(job.cancelRequested(now()).canRetry()).isFalse();
        JobRecord sync = JobRecord.waiting(
                UUID.randomUUID(), job.accountId(), "exec", "sync", 1, 3, now(), null, JobPriority.NORMAL, null, null);
        assertThat(sync.canRetry()).isFalse();
    }

    @Test
    void insertIfAbsentAndFindAnswersTheStoredJobEitherWay() {
        JobRecord stored = insertQueued();
        JobRecord other = syncStub(stored.id(), stored.accountId(), null);
        assertThat(store.insertIfAbsentAndFind(other))
                .as("present: the row, not the stub")
                .isEqualTo(stored);

        JobRecord absent = syncStub(UUID.randomUUID(), stored.accountId(), null);
        JobRecord inserted = store.insertIfAbsentAndFind(absent);
        assertThat(inserted.id()).isEqualTo(absent.id());
        assertThat(inserted.source()).isEqualTo("sync");
        assertThat(store.find(absent.id())).contains(inserted);
    }

    @Test
    void saveAllWritesTheJobsStillAtTheirVersionAndAnswersTheOthers() {
        JobRecord first = insertQueued();
        JobRecord second = insertQueued();
        JobRecord third = insertQueued();
        store.save(second.started(1, "w-0", now())); // second's read below is stale now

        Instant end = now();
        JobRecord firstDone = first.started(1, "w-1", end).ended(JobStatus.SUCCEEDED, null, null, null, end, end);
        JobRecord secondDone = second.started(1, "w-1", end).ended(JobStatus.SUCCEEDED, null, null, null, end, end);
        JobRecord thirdRunning = third.started(1, "w-1", end);
        assertThat(store.saveAll(List.of(firstDone, secondDone, thirdRunning))).containsExactly(secondDone);

        assertThat(store.find(first.id()).orElseThrow())
                .returns(JobStatus.SUCCEEDED, JobRecord::status)
                .returns(first.version() + 1, JobRecord::version)
                .returns(end, JobRecord::finishedAt);
        assertThat(store.find(second.id()).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(store.find(third.id()).orElseThrow())
                .returns(JobStatus.RUNNING, JobRecord::status)
                .returns("w-1", JobRecord::workerId);
        assertThatThrownBy(() -> store.saveAll(List.of(thirdRunning, thirdRunning)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLargeBatchRefreshesTheStatisticsItsQueueIsPlannedWith() {
        UUID account = UUID.randomUUID();
        jdbc.sql("insert into accounts (id, name) values (?, 'a')")
                .param(account)
                .update();
        UUID small = UUID.randomUUID();
        UUID large = UUID.randomUUID();
        for (UUID batch : List.of(small, large)) {
            jdbc.sql("insert into batches (id, account_id, total, created_at) values (?, ?, 1, now())")
                    .params(batch, account)
                    .update();
        }
        var tx = new org.springframework.transaction.support.TransactionTemplate(
                new org.springframework.jdbc.support.JdbcTransactionManager(dataSource));

        // inside the transaction: only its own analyze can have counted rows no one else sees yet
        tx.executeWithoutResult(s -> {
            float before = reltuples();
            store.insertBatch(
                    java.util.stream.Stream.generate(() -> queuedJob(account))
                            .limit(PostgresJobStore.ANALYZED_BATCH - 1)
                            .toList(),
                    small);
            assertThat(reltuples())
                    .as("a smaller batch leaves it to autovacuum")
                    .isEqualTo(before);
            store.insertBatch(
                    java.util.stream.Stream.generate(() -> queuedJob(account))
                            .limit(PostgresJobStore.ANALYZED_BATCH)
                            .toList(),
                    large);
            assertThat(reltuples()).isGreaterThanOrEqualTo(2 * PostgresJobStore.ANALYZED_BATCH - 1);
            s.setRollbackOnly();
        });
    }

    private static float reltuples() {
        return jdbc.sql("select reltuples from pg_class where relname = 'jobs'")
                .query(Float.class)
                .single();
    }

    @Test
    void eventIdsAreFreshOnlyTheFirstTimeAndComeWithTheJobsOrWithoutAny() {
        JobRecord stored = insertQueued();
        UUID seen = UUID.randomUUID();
        UUID unseen = UUID.randomUUID();
        assertThat(store.recordEventsAndFindAll(List.of(seen), List.of()))
                .returns(java.util.Set.of(seen), JobStore.Arrivals::fresh)
                .returns(Map.of(), JobStore.Arrivals::jobs);

        JobStore.Arrivals arrivals = store.recordEventsAndFindAll(
                List.of(seen, unseen), List.of(syncStub(stored.id(), stored.accountId(), null)));

        assertThat(arrivals.fresh()).containsExactly(unseen);
        assertThat(arrivals.jobs()).isEqualTo(Map.of(stored.id(), stored));
        assertThat(store.recordEventsAndFindAll(List.of(seen, unseen), List.of())
                        .fresh())
                .isEmpty();
    }

    @Test
    void insertIfAbsentAndFindAllAnswersStoredAndNewJobsById() {
        JobRecord stored = insertQueued();
        JobRecord stub = syncStub(stored.id(), stored.accountId(), null);
        JobRecord absent = syncStub(UUID.randomUUID(), stored.accountId(), now());

        Map<UUID, JobRecord> found = store.insertIfAbsentAndFindAll(List.of(stub, absent));

        assertThat(found).containsOnlyKeys(stored.id(), absent.id());
        assertThat(found.get(stored.id())).as("present: the row, not the stub").isEqualTo(stored);
        assertThat(found.get(absent.id()))
                .returns("sync", JobRecord::source)
                .returns(absent.createdAt(), JobRecord::createdAt)
                .returns(absent.dispatchedAt(), JobRecord::dispatchedAt);
        assertThat(store.find(absent.id())).contains(found.get(absent.id()));
    }

    @Test
    void outputsOfManyJobsAreStoredOnceAndThoseOfUnknownJobsSkipped() {
        JobRecord a = insertQueued();
        JobRecord b = insertQueued();
        Instant at = now();
        var chunks = List.of(
                new JobStore.Output(a.id(), 1, 0, "stdout", "a0", at),
                new JobStore.Output(a.id(), 1, 1, "stderr", "a1", at),
                new JobStore.Output(b.id(), 1, 0, "stdout", "b0", at),
                new JobStore.Output(UUID.randomUUID(), 1, 0, "stdout", "nobody's", at));
        store.outputs(chunks);
        store.outputs(chunks.subList(0, 1)); // replayed

        assertThat(jdbc.sql("select data from job_output where job_id in (?, ?) order by data")
                        .params(a.id(), b.id())
                        .query(String.class)
                        .list())
                .containsExactly("a0", "a1", "b0");
        assertThat(jdbc.sql("select count(*) from job_output where data = 'nobody''s'")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void attemptsRanRecordManyAttemptsAndKeepAnEndedOnesFirstEnd() {
        JobRecord a = insertQueued();
        JobRecord b = insertQueued();
        Instant t0 = now();
        Instant t1 = t0.plusMillis(5);
        store.attemptsRan(
                List.of(
                        new JobStore.AttemptRan(a.id(), 1, "w-1", "s-1", t0, t1, "OK", null),
                        new JobStore.AttemptRan(b.id(), 1, "w-1", "s-2", t0, t1, "TIMEOUT", null)),
                List.of(
                        new JobStore.Output(a.id(), 1, 0, "stdout", "a0", t0),
                        new JobStore.Output(UUID.randomUUID(), 1, 0, "stdout", "nobody's", t0)));
        store.attemptsRan(
                List.of(new JobStore.AttemptRan(a.id(), 1, "w-2", "s-3", t1, t1.plusMillis(5), "KILLED", null)),
                List.of(
                        new JobStore.Output(a.id(), 1, 0, "stdout", "a0 again", t1),
                        new JobStore.Output(b.id(), 1, 0, "stdout", "b0", t1)));

        assertThat(jdbc.sql("select job_id::text || ':' || worker_id || ':' || verdict from job_attempts"
                                + " where job_id in (?, ?) order by verdict")
                        .params(a.id(), b.id())
                        .query(String.class)
                        .list())
                .containsExactly(a.id() + ":w-1:OK", b.id() + ":w-1:TIMEOUT");
        assertThat(jdbc.sql("select data from job_output where job_id in (?, ?) order by data")
                        .params(a.id(), b.id())
                        .query(String.class)
                        .list())
                .as("the output with them, each chunk once")
                .containsExactly("a0", "b0");
    }

    @Test
    void aTransactionsNotificationsRideInTheStatementsThatCauseThemAndGoOutEachOnceAtCommit() throws Exception {
        List<String> statements = new java.util.concurrent.CopyOnWriteArrayList<>();
        javax.sql.DataSource counting = recordingStatements(postgres.dataSource(), statements::add);
        JobStore counted = new PostgresJobStore(JdbcClient.create(counting), java.time.Clock.systemUTC());
        var tx = new org.springframework.transaction.support.TransactionTemplate(
                new org.springframework.jdbc.support.JdbcTransactionManager(counting));
        JobRecord a = insertQueued();
        JobRecord b = insertQueued();
        JobRecord c = insertQueued();
        try (java.sql.Connection listener = postgres.dataSource().getConnection()) {
            listener.createStatement().execute("LISTEN " + JobStore.ACTIVITY_CHANNEL);
            var pg = listener.unwrap(org.postgresql.PGConnection.class);

            // The projector's way: a batch's output, then its saves, in one transaction.
            tx.executeWithoutResult(status -> {
                counted.outputs(List.of(new JobStore.Output(a.id(), 1, 0, "stdout", "hi", now())));
                counted.saveAll(List.of(a.started(1, "w-1", now()), b.started(1, "w-1", now())));
                assertThat(statements).hasSize(2); // no statement of their own
            });
            assertThat(statements).hasSize(2);
            assertThat(received(pg)).containsExactly(a.id().toString(), b.id().toString());

            tx.executeWithoutResult(status -> {
                counted.saveAll(List.of(c.started(1, "w-1", now())));
                status.setRollbackOnly();
            });
            counted.save(store.find(a.id()).orElseThrow().ended(JobStatus.SUCCEEDED, null, null, null, null, now()));
            // Outside a transaction at once; the rolled-back save notified nothing (delivery is in commit order).
            assertThat(received(pg)).containsExactly(a.id().toString());
        }
    }

    @Test
    void aSaveEndingJobsDeliversTheirWebhooksAndCompletesTheirBatchOnlyForTheJobsItWrote() throws Exception {
        UUID account = UUID.randomUUID();
        UUID batch = UUID.randomUUID();
        jdbc.sql("insert into accounts (id, name) values (?, 'a')")
                .param(account)
                .update();
        jdbc.sql("insert into batches (id, account_id, total, created_at) values (?, ?, 2, now())")
                .params(batch, account)
                .update();
        jdbc.sql("""
                        insert into webhook_endpoints (id, account_id, url, secret, created_at)
                        values (?, ?, 'https://example.com/hook', 'whsec_x', now())
                        """).params(UUID.randomUUID(), account).update();
        List<JobRecord> jobs = List.of(queuedJob(account), queuedJob(account), queuedJob(account));
        store.insertBatch(jobs, batch);
        JobRecord a = store.save(store.find(jobs.get(0).id()).orElseThrow().started(1, "w-1", now()));
        JobRecord b = store.save(store.find(jobs.get(1).id()).orElseThrow().started(1, "w-1", now()));
        JobRecord c = store.save(store.find(jobs.get(2).id()).orElseThrow().started(1, "w-1", now()));
        store.save(c.ended(JobStatus.FAILED, null, null, null, null, now())); // c moved on: b's save below loses
        Instant end = now();

        try (java.sql.Connection listener = postgres.dataSource().getConnection()) {
            listener.createStatement().execute("LISTEN " + WebhookEvents.CHANNEL);
            var pg = listener.unwrap(org.postgresql.PGConnection.class);

            List<JobRecord> lost = store.saveAll(List.of(
                    a.ended(
                            JobStatus.SUCCEEDED,
                            new ExecResult("hi\n", "", 0, Verdict.OK, false, 3, 2L, null),
                            null,
                            null,
                            null,
                            end),
                    b.retrying(new JobError("E", "again", true), end.plusSeconds(1)),
                    c.ended(JobStatus.SUCCEEDED, null, null, null, null, end)));

            assertThat(lost).extracting(JobRecord::id).containsExactly(c.id());
            assertThat(deliveries(account))
                    .as("c's end as saved before, not as lost now")
                    .containsExactlyInAnyOrder("job.failed:" + c.id(), "job.succeeded:" + a.id());
            assertThat(completedAt(batch)).as("b is still to end").isNull();
            assertThat(received(pg)).containsExactly("");

            store.save(store.find(b.id()).orElseThrow().requeued().started(2, "w-1", end));
            store.saveAll(List.of(store.find(b.id())
                    .orElseThrow()
                    .ended(JobStatus.FAILED, null, new JobError("E", "no", false), null, null, end)));

            assertThat(completedAt(batch)).isEqualTo(end);
            assertThat(deliveries(account))
                    .containsExactlyInAnyOrder(
                            "job.failed:" + c.id(),
                            "job.succeeded:" + a.id(),
                            "job.failed:" + b.id(),
                            "batch.completed:" + batch);
            for (UUID job : List.of(a.id(), b.id())) {
                assertThat(payload(job)).as("the payload the API would write").isEqualTo(expectedPayload(job));
            }
        }
    }

    /** A job's end as a webhook endpoint receives it, as the API writes JSON. */
    private static String expectedPayload(UUID id) {
        JobRecord job = store.find(id).orElseThrow();
        Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("id", job.id());
        data.put("kind", job.kind());
        data.put("status", job.status());
        data.put("attempts", job.attempt());
        data.put("createdAt", job.createdAt());
        data.put("startedAt", job.startedAt());
        data.put("finishedAt", job.finishedAt());
        // as the API's JobView declares it: a JobResult, written with its type
        data.put(
                "result",
                job.result() == null
                        ? null
                        : dev.paperpod.schemas.Wire.mapper()
                                .readTree(dev.paperpod.schemas.Wire.mapper()
                                        .writerFor(dev.paperpod.schemas.job.JobResult.class)
                                        .writeValueAsString(job.result())));
        data.put("error", job.error());
        data.values().removeIf(java.util.Objects::isNull);
        Map<String, Object> payload = new java.util.LinkedHashMap<>();
        payload.put("type", "job." + job.status().name().toLowerCase(java.util.Locale.ROOT));
        payload.put("timestamp", job.finishedAt());
        payload.put("data", data);
        return jdbc.sql("select ?::jsonb::text")
                .param(dev.paperpod.schemas.Wire.writeString(payload))
                .query(String.class)
                .single();
    }

    private static String payload(UUID job) {
        return jdbc.sql("select payload::text from webhook_deliveries where event_key like '%:' || ?")
                .param(job.toString())
                .query(String.class)
                .single();
    }

    private static List<String> deliveries(UUID account) {
        return jdbc.sql("""
                        select d.event_key from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
                        where e.account_id = ?
                        """).param(account).query(String.class).list();
    }

    private static @org.jspecify.annotations.Nullable Instant completedAt(UUID batch) {
        return jdbc.sql("select completed_at from batches where id = ?")
                .param(batch)
                .query((rs, row) -> PostgresJobStore.instant(rs, "completed_at"))
                .list()
                .get(0);
    }

    /** The payloads of the next notifications delivered together (one commit's), waiting up to 10 s for them. */
    private static List<String> received(org.postgresql.PGConnection pg) throws java.sql.SQLException {
        org.postgresql.PGNotification[] batch = pg.getNotifications(10_000);
        assertThat(batch).as("notifications within 10 s").isNotNull().isNotEmpty();
        return java.util.Arrays.stream(batch)
                .map(org.postgresql.PGNotification::getParameter)
                .toList();
    }

    /** The data source, telling {@code onPrepare} the SQL of every statement prepared through it. */
    private static javax.sql.DataSource recordingStatements(
            javax.sql.DataSource target, java.util.function.Consumer<String> onPrepare) {
        return new org.springframework.jdbc.datasource.DelegatingDataSource(target) {
            @Override
            public java.sql.Connection getConnection() throws java.sql.SQLException {
                java.sql.Connection connection = super.getConnection();
                return (java.sql.Connection) java.lang.reflect.Proxy.newProxyInstance(
                        getClass().getClassLoader(), new Class<?>[] {java.sql.Connection.class}, (proxy, m, args) -> {
                            if (m.getName().equals("prepareStatement") && args != null && args[0] instanceof String s) {
                                onPrepare.accept(s);
                            }
                            try {
                                return m.invoke(connection, args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
            }
        };
    }

    /** A sync job as its events first tell of it. */
    private static JobRecord syncStub(UUID id, UUID account, Instant dispatchedAt) {
        return JobRecord.waiting(
                id, account, "exec", "sync", 1, 1, now(), null, JobPriority.NORMAL, null, dispatchedAt);
    }

    private static JobRecord insertQueued() {
        UUID account = UUID.randomUUID();
        jdbc.sql("insert into accounts (id, name) values (?, 'a')")
                .param(account)
                .update();
        JobRecord job = queuedJob(account);
        store.insert(job);
        return store.find(job.id()).orElseThrow();
    }

    /** A new background job of the account, not stored. */
    private static JobRecord queuedJob(UUID account) {
        return JobRecord.waiting(
                UUID.randomUUID(),
                account,
                "exec",
                "async",
                1,
                3,
                now(),
                new ExecSpec(Language.SHELL, "echo hi", 1000, Map.of(), null, Egress.NONE),
                JobPriority.NORMAL,
                null,
                null);
    }

    /** PostgreSQL keeps microseconds. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
