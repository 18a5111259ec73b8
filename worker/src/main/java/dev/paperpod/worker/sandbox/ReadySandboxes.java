package dev.paperpod.worker.sandbox;

import dev.paperpod.agent.client.ExecCommand;
import dev.paperpod.agent.client.ResetOutcome;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Makes sandboxes ready for a first job: created by the runtime, their agent answering, its socket sealed, warmed up
 * and reset. The pool and the account sandboxes both take their sandboxes from here; what is ready is the same.
 */
public final class ReadySandboxes {

    private static final Duration AGENT_CALL = Duration.ofSeconds(10);
    private static final ExecCommand WARM_UP = ExecCommand.shell("true", 5_000);

    private final SandboxRuntime runtime;
    private final Duration agentReadyTimeout;

    public ReadySandboxes(SandboxRuntime runtime, Duration agentReadyTimeout) {
        this.runtime = runtime;
        this.agentReadyTimeout = agentReadyTimeout;
    }

    /**
     * A new sandbox, ready; nothing is left behind when it cannot be made.
     *
     * @throws SandboxException when the container cannot be made or its agent does not answer in time
     */
    public Sandbox make() {
        Sandbox sandbox;
        try {
            sandbox = runtime.create();
        } catch (RuntimeException e) {
            throw e instanceof SandboxException se ? se : new SandboxException(e.getMessage(), e);
        }
        try {
            long deadline = System.nanoTime() + agentReadyTimeout.toNanos();
            while (!alive(sandbox)) {
                if (System.nanoTime() > deadline) {
                    throw new SandboxException("the agent of sandbox " + sandbox.id() + " did not answer within "
                            + agentReadyTimeout.toSeconds() + " s");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            runtime.seal(sandbox);
            warmUp(sandbox);
            return sandbox;
        } catch (RuntimeException e) {
            runtime.destroy(sandbox);
            throw e instanceof SandboxException se ? se : new SandboxException(e.getMessage(), e);
        }
    }

    /**
     * Runs one trivial command, then a reset, before a new sandbox is handed out: the agent's first run loads what
     * running a process takes, a cost that belongs to the background, not to the first job; the reset leaves a new
     * sandbox exactly as clean as a reused one.
     */
    private static void warmUp(Sandbox sandbox) {
        try {
            sandbox.agent().exec(WARM_UP, (isStderr, data, offset, length) -> {}, AGENT_CALL);
            ResetOutcome reset = sandbox.agent().reset(AGENT_CALL);
            if (!reset.verified()) {
                throw new SandboxException("a new sandbox did not reset clean: " + reset.problem());
            }
        } catch (IOException e) {
            throw new SandboxException("warming up sandbox " + sandbox.id() + " failed: " + e, e);
        }
    }

    /** Whether its agent answers a ping (about a millisecond). */
    public static boolean alive(Sandbox sandbox) {
        try {
            sandbox.agent().ping(Duration.ofSeconds(2));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
