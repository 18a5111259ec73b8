package dev.paperpod.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.embedded.PostgresServer;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.schemas.job.Egress;
import dev.paperpod.schemas.job.ExecSpec;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobPriority;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.schemas.job.Language;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The dispatch order against a real PostgreSQL: priorities, accounts taking turns, concurrency limits, runAt. */
class PostgresDispatchQueueIT {

    @TempDir
    static Path home;

    static PostgresServer postgres;
    static JdbcClient jdbc;
    static JobStore store;
    static DispatchQueue queue;
    static WorkerStore workers;
    static TransactionTemplate tx;

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);

    @BeforeAll
    static void start() throws Exception {
        postgres = PostgresServer.start(home.resolve("pg"), 0, "paperpod");
        Flyway.configure()
                .dataSource(postgres.jdbcUrl(), postgres.user(), postgres.password())
                .locations("classpath:db/migration")
                .load()
                .migrate();
        // one data source for statements and transactions: each call of dataSource() makes a new one, and a
        // transaction's connection is found by its data source
        javax.sql.DataSource dataSource = postgres.dataSource();
        jdbc = JdbcClient.create(dataSource);
        store = new PostgresJobStore(jdbc, java.time.Clock.systemUTC());
        queue = new PostgresDispatchQueue(jdbc);
        workers = new PostgresWorkerStore(jdbc);
        tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    @AfterAll
    static void stop() {
        postgres.close();
    }

    @BeforeEach
    void emptyQueue() {
        jdbc.sql("delete from job_attempts").update();
        jdbc.sql("delete from jobs").update();
    }

    @Test
    void highPriorityFirstThenAccountsTakeTurnsWithinTheirConcurrency() {
        UUID a = account(null);
        UUID b = account(null);
        UUID c = account(null);
        UUID a1 = waiting(a, JobPriority.NORMAL, 1, null);
        UUID a2 = waiting(a, JobPriority.NORMAL, 2, null);
        UUID a3 = waiting(a, JobPriority.NORMAL, 3, null);
        UUID aLow = waiting(a, JobPriority.LOW, 4, null);
        UUID b1 = waiting(b, JobPriority.NORMAL, 5, null);
        UUID b2 = waiting(b, JobPriority.NORMAL, 6, null);
        UUID cHigh = waiting(c, JobPriority.HIGH, 7, null);
        UUID later = waiting(c, JobPriority.HIGH, 8, now.plusSeconds(3600));

        assertThat(queue.position(cHigh, now)).hasValue(0);
        assertThat(queue.position(b1, now)).hasValue(2);
        assertThat(queue.position(later, now)).as("not due yet").isEmpty();

        List<UUID> first = take(10, 2);

        assertThat(first).containsExactly(cHigh, a1, b1, a2, b2);
        DispatchQueue.Room room = queue.room(now.minusSeconds(10));
        assertThat(room.inFlight(JobKind.EXEC).total()).isEqualTo(5);
        assertThat(room.inFlight(JobKind.EXEC).byPartition()).containsOnlyKeys(0, 1, 2, 3, 4);
        assertThat(queue.waiting(a, 100)).isEqualTo(2);
        assertThat(take(10, 2)).as("every account is at its limit of 2").isEmpty();

        // a1 ends: a gets one more turn, its oldest normal job before its low one.
        JobRecord done = store.find(a1).orElseThrow();
        store.save(done.started(1, "w", now).ended(JobStatus.SUCCEEDED, null, null, null, null, now));
        assertThat(take(10, 2)).containsExactly(a3);
        assertThat(queue.position(aLow, now)).hasValue(0);
        // An hour on, the delayed high-priority job is due and goes before the low one.
        assertThat(queue.position(later, now.plusSeconds(3601))).hasValue(0);
        assertThat(queue.position(aLow, now.plusSeconds(3601))).hasValue(1);
    }

    @Test
    void aRoundsFiguresComeInOneReadingWithOrWithoutJobsInFlight() {
        jdbc.sql("delete from worker_capacity").update();
        jdbc.sql("delete from workers").update();
        DispatchQueue.Room none = queue.room(now.minusSeconds(10));
        assertThat(none.capacity()).isEmpty();
        assertThat(none.inFlight()).isEmpty();
        assertThat(none.inFlight(JobKind.EXEC).total()).isZero();

        JobKind browser = new JobKind("browser");
        workers.heartbeat(new WorkerHeartbeat(
                "fresh",
                now,
                now,
                List.of(
                        new WorkerHeartbeat.Capacity(JobKind.EXEC, 4, 0, 4),
                        new WorkerHeartbeat.Capacity(browser, 1, 0, 2))));
        workers.heartbeat(new WorkerHeartbeat(
                "also-fresh", now, now, List.of(new WorkerHeartbeat.Capacity(JobKind.EXEC, 2, 0, 2))));
        workers.heartbeat(new WorkerHeartbeat(
                "gone",
                now.minusSeconds(3600),
                now.minusSeconds(3600),
                List.of(new WorkerHeartbeat.Capacity(JobKind.EXEC, 8, 0, 8))));
        UUID a = account(null);
        waiting(a, JobPriority.NORMAL, 1, null);
        waiting(a, JobPriority.NORMAL, 2, null);
        waiting(a, JobPriority.NORMAL, 3, null);
        assertThat(take(2, 16)).hasSize(2);
        DispatchQueue.Room room = queue.room(now.minusSeconds(10));
        assertThat(room.capacity())
                .as("the silent worker does not count")
                .containsOnly(Map.entry(JobKind.EXEC, 6), Map.entry(browser, 2));
        assertThat(room.inFlight(JobKind.EXEC).total()).isEqualTo(2);
        assertThat(room.inFlight(JobKind.EXEC).byPartition()).containsOnlyKeys(0, 1);
        assertThat(room.inFlight(browser).total()).isZero();
        jdbc.sql("delete from worker_capacity").update();
        jdbc.sql("delete from workers").update();
    }

    @Test
    void aRoundTakesTheDispatchLockWhichOneRoundHoldsAtATime() {
        // another scheduler: its own connections (the data source is the key of a transaction's connection)
        DispatchQueue other = new PostgresDispatchQueue(
                JdbcClient.create(new org.springframework.jdbc.datasource.DelegatingDataSource(postgres.dataSource())));

        tx.executeWithoutResult(s -> {
            assertThat(queue.room(now).locked()).isTrue();
            assertThat(other.room(now).locked())
                    .as("held by the round in progress")
                    .isFalse();
        });

        assertThat(other.room(now).locked()).as("released with its transaction").isTrue();
    }

    @Test
    void anAccountsOwnLimitOverridesTheDefault() {
        UUID solo = account(1);
        UUID first = waiting(solo, JobPriority.NORMAL, 1, null);
        waiting(solo, JobPriority.NORMAL, 2, null);

        assertThat(take(10, 16)).containsExactly(first);
        assertThat(queue.maxQueued(solo)).isEmpty();
    }

    @Test
    void theSlotsBoundABatch() {
        UUID a = account(null);
        for (int i = 0; i < 5; i++) {
            waiting(a, JobPriority.NORMAL, i, null);
        }
        assertThat(take(3, 16)).hasSize(3);
        assertThat(queue.waiting(a, 100)).isEqualTo(2);
        assertThat(queue.waiting(a, 1)).as("counted no further than asked").isEqualTo(1);
    }

    /** Takes up to {@code slots} jobs, onto partitions 0, 1, 2… */
    private List<UUID> take(int slots, int concurrency) {
        List<Integer> partitions =
                java.util.stream.IntStream.range(0, slots).boxed().toList();
        List<DispatchQueue.Dispatched> taken = tx.execute(s -> {
            assertThat(queue.room(now).locked()).isTrue();
            return queue.takeNext(JobKind.EXEC, partitions, concurrency, now);
        });
        for (int i = 0; i < taken.size(); i++) {
            assertThat(taken.get(i).partition()).isEqualTo(i);
        }
        return taken.stream().map(d -> d.job().id()).toList();
    }

    private UUID account(@Nullable Integer maxConcurrency) {
        UUID id = UUID.randomUUID();
        jdbc.sql("insert into accounts (id, name, max_concurrency) values (?, 'a', ?)")
                .params(id, maxConcurrency)
                .update();
        return id;
    }

    /** A waiting job created {@code age} seconds after a fixed point: higher age, younger job. */
    private UUID waiting(UUID account, JobPriority priority, int age, @Nullable Instant runAt) {
        JobRecord job = JobRecord.waiting(
                UUID.randomUUID(),
                account,
                "exec",
                "async",
                1,
                3,
                now.minusSeconds(100 - age),
                new ExecSpec(Language.SHELL, "true", 1000, Map.of(), null, Egress.NONE),
                priority,
                runAt,
                null);
        store.insert(job);
        return job.id();
    }
}
