package dev.paperpod.worker.exec;

import dev.paperpod.agent.client.AgentException;
import dev.paperpod.agent.client.Cancellation;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.schemas.job.ExecResult;
import dev.paperpod.schemas.job.ExecSpec;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.worker.WorkerProperties;
import dev.paperpod.worker.jobs.JobFailure;
import dev.paperpod.worker.jobs.JobRunner;
import dev.paperpod.worker.jobs.OutputSink;
import dev.paperpod.worker.jobs.RunCancellation;
import dev.paperpod.worker.sandbox.AccountSandboxes;
import dev.paperpod.worker.sandbox.Sandbox;
import dev.paperpod.worker.sandbox.SandboxException;
import dev.paperpod.worker.sandbox.SandboxPools;
import dev.paperpod.worker.sandbox.SandboxesBusyException;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exec kind's runner: a job claims a warm sandbox of its egress policy's pool, runs its program there through the
 * agent, and gives the sandbox back to be reset for the account's next job (or destroyed). A job that names an
 * account's own sandbox ({@link ExecSpec#sandbox()}) runs in that one instead, which keeps what the program left.
 */
public final class ExecJobRunner implements JobRunner {

    private static final Logger log = LoggerFactory.getLogger(ExecJobRunner.class);

    private final SandboxPools pools;
    private final AccountSandboxes accountSandboxes;
    private final ExecRunner runner;
    private final Duration claimTimeout;
    private final int concurrency;
    private final int syncConcurrency;

    public ExecJobRunner(
            SandboxPools pools,
            AccountSandboxes accountSandboxes,
            ExecRunner runner,
            Duration claimTimeout,
            int concurrency,
            int syncConcurrency) {
        this.pools = pools;
        this.accountSandboxes = accountSandboxes;
        this.runner = runner;
        this.claimTimeout = claimTimeout;
        this.concurrency = concurrency;
        this.syncConcurrency = syncConcurrency;
    }

    public ExecJobRunner(
            SandboxPools pools, AccountSandboxes accountSandboxes, ExecRunner runner, WorkerProperties properties) {
        this(
                pools,
                accountSandboxes,
                runner,
                properties.sandbox().claimTimeout(),
                properties.concurrency(),
                properties.syncConcurrency());
    }

    @Override
    public JobKind kind() {
        return JobKind.EXEC;
    }

    @Override
    public int concurrency() {
        return concurrency;
    }

    @Override
    public int syncConcurrency() {
        return syncConcurrency;
    }

    @Override
    public WorkerHeartbeat.Capacity capacity() {
        return new WorkerHeartbeat.Capacity(JobKind.EXEC, pools.readyCount(), pools.busyCount(), pools.max());
    }

    @Override
    public Lease claim(JobEnvelope job) throws JobFailure {
        ExecSpec spec = (ExecSpec) job.spec();
        try {
            String name = spec.sandbox();
            if (name != null) {
                AccountSandboxes.Hosted hosted = accountSandboxes.acquire(job.accountId(), name, spec.network());
                return new SandboxLease(
                        spec, hosted.sandbox(), reusable -> hosted.release(), () -> accountSandboxes.lost(hosted));
            }
            Sandbox sandbox = pools.claim(spec.network(), job.accountId(), claimTimeout);
            return new SandboxLease(
                    spec,
                    sandbox,
                    reusable -> pools.release(spec.network(), sandbox, job.accountId(), reusable),
                    () -> {});
        } catch (SandboxesBusyException e) {
            throw new JobFailure.Busy("SANDBOX_UNAVAILABLE", e.getMessage());
        } catch (SandboxException e) {
            throw new JobFailure("SANDBOX_UNAVAILABLE", e.getMessage(), true, e);
        }
    }

    /** A program that ran is a result, whatever its exit code; only the way it ended decides the status. */
    static JobStatus statusOf(ExecResult result) {
        return switch (result.verdict()) {
            case OK -> JobStatus.SUCCEEDED;
            case TIMEOUT -> JobStatus.TIMED_OUT;
            case MEMORY_LIMIT, OUTPUT_LIMIT, PIDS_LIMIT, KILLED, ERROR -> JobStatus.FAILED;
        };
    }

    /**
     * A sandbox held for one run.
     *
     * @param release gives it back (a pool's is reset or destroyed; an account's stays as the run left it)
     * @param lost when its agent stopped answering mid-run
     */
    private final class SandboxLease implements Lease {
        private final ExecSpec spec;
        private final Sandbox sandbox;
        private final Consumer<Boolean> release;
        private final Runnable lost;

        SandboxLease(ExecSpec spec, Sandbox sandbox, Consumer<Boolean> release, Runnable lost) {
            this.spec = spec;
            this.sandbox = sandbox;
            this.release = release;
            this.lost = lost;
        }

        @Override
        public String id() {
            return sandbox.id();
        }

        @Override
        public Ran run(JobEnvelope job, OutputSink output, RunCancellation cancellation) throws JobFailure {
            Cancellation call = new Cancellation();
            cancellation.onCancel(call::cancel);
            try {
                ExecRunner.Run run = runner.run(sandbox, spec, output, call);
                return new Ran(statusOf(run.result()), run.result(), run.startedAt(), run.finishedAt());
            } catch (Cancellation.CanceledException e) {
                throw new JobFailure("CANCELED", "canceled while it ran; its processes were killed", false, e);
            } catch (AgentException e) {
                log.error("The agent of sandbox {} refused job {}: {}", sandbox.id(), job.jobId(), e.getMessage());
                throw new JobFailure("AGENT_" + e.code(), e.getMessage(), false, e);
            } catch (IOException e) {
                log.error("Lost the agent of sandbox {} running job {}: {}", sandbox.id(), job.jobId(), e.toString());
                lost.run();
                throw new JobFailure("SANDBOX_LOST", "the sandbox stopped answering: " + e.getMessage(), true, e);
            }
        }

        @Override
        public void release(boolean reusable) {
            release.accept(reusable);
        }
    }
}
