package dev.paperpod.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paperpod.embedded.PostgresServer;
import dev.paperpod.schemas.job.Egress;
import dev.paperpod.schemas.job.ExecSpec;
import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobPriority;
import dev.paperpod.schemas.job.JobStateMachine;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.schemas.job.Language;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
        jdbc = JdbcClient.create(postgres.dataSource());
        store = new PostgresJobStore(jdbc);
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
        JobRecord other = JobRecord.waiting(
                stored.id(), stored.accountId(), "exec", "sync", 1, 1, now(), null, JobPriority.NORMAL, null, null);
        assertThat(store.insertIfAbsentAndFind(other))
                .as("present: the row, not the stub")
                .isEqualTo(stored);

        JobRecord absent = JobRecord.waiting(
                UUID.randomUUID(),
                stored.accountId(),
                "exec",
                "sync",
                1,
                1,
                now(),
                null,
                JobPriority.NORMAL,
                null,
                null);
        JobRecord inserted = store.insertIfAbsentAndFind(absent);
        assertThat(inserted.id()).isEqualTo(absent.id());
        assertThat(inserted.source()).isEqualTo("sync");
        assertThat(store.find(absent.id())).contains(inserted);
    }

    private static JobRecord insertQueued() {
        UUID account = UUID.randomUUID();
        jdbc.sql("insert into accounts (id, name) values (?, 'a')")
                .param(account)
                .update();
        JobRecord job = JobRecord.waiting(
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
        store.insert(job);
        return store.find(job.id()).orElseThrow();
    }

    /** PostgreSQL keeps microseconds. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
