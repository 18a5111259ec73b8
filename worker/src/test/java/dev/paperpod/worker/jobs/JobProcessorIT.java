package dev.paperpod.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.job.Egress;
import dev.paperpod.schemas.job.ExecResult;
import dev.paperpod.schemas.job.ExecSpec;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobSource;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.schemas.job.Language;
import dev.paperpod.worker.exec.ExecJobRunner;
import dev.paperpod.worker.exec.ExecRunner;
import dev.paperpod.worker.sandbox.AccountSandboxes;
import dev.paperpod.worker.sandbox.Podman;
import dev.paperpod.worker.sandbox.PodmanSandboxRuntime;
import dev.paperpod.worker.sandbox.ReadySandboxes;
import dev.paperpod.worker.sandbox.SandboxPool;
import dev.paperpod.worker.sandbox.SandboxPools;
import dev.paperpod.worker.sandbox.SandboxSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link JobProcessor} with the exec kind's runner on real Podman with a pool of one sandbox and a claim timeout far shorter than the job ahead:
 * a background job waits for the busy pool and runs, where a sync job's client is told the pool is busy.
 */
class JobProcessorIT {

    private static final Duration CLAIM_TIMEOUT = Duration.ofMillis(500);
    private static final UUID ACCOUNT = UUID.randomUUID();

    @TempDir
    Path sockets;

    private DockerClient docker;
    private SandboxPools pools;
    private ScheduledThreadPoolExecutor timer;
    private final ExecutorService jobs = Executors.newCachedThreadPool();
    private JobProcessor processor;

    @BeforeEach
    void start() {
        docker = Podman.docker();
        var settings =
                SandboxSettings.aSandbox(sockets).max(1).reusePerAccount(1).build();
        PodmanSandboxRuntime runtime =
                new PodmanSandboxRuntime(docker, settings, "none", "processor-it", Clock.systemUTC());
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        SandboxPool pool = new SandboxPool(runtime, settings, Clock.systemUTC(), metrics, "none");
        // never claimed here: its sandboxes are made only on demand
        SandboxPool full = new SandboxPool(runtime, settings, Clock.systemUTC(), metrics, "full");
        pools = new SandboxPools(Map.of(Egress.NONE, pool, Egress.FULL, full), runtime, Duration.ofMinutes(5));
        pools.start();
        timer = new ScheduledThreadPoolExecutor(1);
        // The events go nowhere: what is checked here is each job's end as the processor decides it.
        JobEventPublisher events = new JobEventPublisher() {
            @Override
            public CompletableFuture<?> publish(
                    dev.paperpod.schemas.event.JobEvent event, dev.paperpod.schemas.job.JobSource source) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletableFuture<?> reply(ReplyAddress to, JobFinished finished) {
                return CompletableFuture.completedFuture(null);
            }
        };
        processor = new JobProcessor(
                List.of(new ExecJobRunner(
                        pools,
                        new AccountSandboxes(
                                Map.of(
                                        Egress.NONE,
                                        new AccountSandboxes.Maker(
                                                new ReadySandboxes(runtime, settings.agentReadyTimeout())::make,
                                                runtime)),
                                Egress.NONE,
                                Duration.ofMinutes(30),
                                4,
                                Clock.systemUTC()),
                        new ExecRunner(Clock.systemUTC(), 1 << 20),
                        CLAIM_TIMEOUT,
                        8,
                        4)),
                events,
                new JobCancels(),
                "processor-it",
                Duration.ofMillis(50),
                timer,
                Clock.systemUTC());
    }

    @AfterEach
    void stop() throws Exception {
        jobs.shutdownNow();
        if (timer != null) {
            timer.shutdownNow();
        }
        if (pools != null) {
            pools.close();
        }
        docker.close();
    }

    @Test
    void aBackgroundJobWaitsForABusyPoolPastTheClaimTimeoutAndRuns() {
        CompletableFuture<JobFinished> ahead = run(job(JobSource.ASYNC, "sleep 3; echo ahead"));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> pools.pool(Egress.NONE).busyCount() == 1);

        CompletableFuture<JobFinished> behind = run(job(JobSource.ASYNC, "echo behind"));

        // several claim timeouts long, still waiting rather than failed
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> !behind.isDone());
        JobFinished finished = behind.join();
        assertThat(finished.status()).as(finished.toString()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(((ExecResult) finished.result()).stdout()).isEqualTo("behind\n");
        assertThat(ahead.join().status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void aSyncJobIsToldThePoolIsBusyAfterTheClaimTimeout() {
        CompletableFuture<JobFinished> ahead = run(job(JobSource.ASYNC, "sleep 3; echo ahead"));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> pools.pool(Egress.NONE).busyCount() == 1);

        JobFinished finished = run(job(JobSource.SYNC, "echo impatient")).join();

        assertThat(finished.status()).isEqualTo(JobStatus.FAILED);
        assertThat(finished.error().code()).isEqualTo("SANDBOX_UNAVAILABLE");
        assertThat(finished.error().retryable()).isTrue();
        assertThat(ahead.join().status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void aSyncJobIsRecordedBeforeItsSandboxGoesBackABackgroundJobAfter() throws InterruptedException {
        SandboxPool pool = pools.pool(Egress.NONE);
        Map<JobSource, Integer> busyWhenRecorded = new java.util.EnumMap<>(JobSource.class);
        for (JobSource source : List.of(JobSource.SYNC, JobSource.ASYNC)) {
            JobFinished finished = processor.process(
                    job(source, "echo hi"),
                    Instant.now(),
                    null,
                    (end, f) -> busyWhenRecorded.put(source, pool.busyCount()));
            assertThat(finished.status()).as(finished.toString()).isEqualTo(JobStatus.SUCCEEDED);
        }

        // a sync client is answered before the reset competes for the CPU; a background job's sandbox is reset
        // while its end travels
        assertThat(busyWhenRecorded).containsEntry(JobSource.SYNC, 1).containsEntry(JobSource.ASYNC, 0);
    }

    private CompletableFuture<JobFinished> run(JobEnvelope job) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return processor.process(job, Instant.now(), null, (end, finished) -> {});
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                },
                jobs);
    }

    private static JobEnvelope job(JobSource source, String code) {
        return new JobEnvelope(
                UUID.randomUUID(),
                ACCOUNT,
                source,
                Instant.now(),
                null,
                1,
                new ExecSpec(Language.SHELL, code, 30_000, Map.of(), null, Egress.NONE));
    }
}
