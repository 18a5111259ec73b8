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
import dev.paperpod.worker.sandbox.Sandbox;
import dev.paperpod.worker.sandbox.SandboxException;
import dev.paperpod.worker.sandbox.SandboxPools;
import dev.paperpod.worker.sandbox.SandboxesBusyException;
import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exec kind's runner: a job claims a warm sandbox of its egress policy's pool, runs its program there through the
 * agent, and gives the sandbox back to be reset for the account's next job (or destroyed).
 */
public final class ExecJobRunner implements JobRunner {

    private static final Logger log = LoggerFactory.getLogger(ExecJobRunner.class);

    private final SandboxPools pools;
    private final ExecRunner runner;
    private final Duration claimTimeout;
    private final int concurrency;
    private final int syncConcurrency;

    public ExecJobRunner(
            SandboxPools pools, ExecRunner runner, Duration claimTimeout, int concurrency, int syncConcurrency) {
        this.pools = pools;
        this.runner = runner;
        this.claimTimeout = claimTimeout;
        this.concurrency = concurrency;
        this.syncConcurrency = syncConcurrency;
    }

    public ExecJobRunner(SandboxPools pools, ExecRunner runner, WorkerProperties properties) {
        this(
                pools,
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
            return new SandboxLease(spec, job.accountId(), pools.claim(spec.network(), job.accountId(), claimTimeout));
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

    private final class SandboxLease implements Lease {
        private final ExecSpec spec;
        private final UUID account;
        private final Sandbox sandbox;

        SandboxLease(ExecSpec spec, UUID account, Sandbox sandbox) {
            this.spec = spec;
            this.account = account;
            this.sandbox = sandbox;
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
                throw new JobFailure("SANDBOX_LOST", "the sandbox stopped answering: " + e.getMessage(), true, e);
            }
        }

        @Override
        public void release(boolean reusable) {
            pools.release(spec.network(), sandbox, account, reusable);
        }
    }
}
