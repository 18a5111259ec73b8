package dev.paperpod.api.sandbox;

import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.sync.LiveWorkers;
import dev.paperpod.api.sync.SyncJobs;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.schemas.job.Egress;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.sandbox.SandboxAnswer;
import dev.paperpod.schemas.sandbox.SandboxCommand;
import dev.paperpod.schemas.sandbox.SandboxOperation;
import dev.paperpod.schemas.sandbox.SandboxReply;
import dev.paperpod.store.SandboxStore;
import dev.paperpod.store.WorkerStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sends the calls of an account's sandbox to the worker that hosts it (ADR 8): the registry names the worker; a
 * sandbox with none, or whose worker's heartbeat is older than {@code paperpod.api.heartbeat-staleness}, is placed on
 * the live exec worker with the most ready sandboxes. Each reply names the sandbox that took the call; a sandbox
 * other than the registry's was made anew, which the caller is told ({@link Seen#restarted}).
 */
@Component
public class SandboxRouter {

    /** How long a command may take, the making of its sandbox on a first call included. */
    private static final Duration COMMAND_WAIT = Duration.ofSeconds(30);

    private final SandboxStore sandboxes;
    private final LiveWorkers workers;
    private final SandboxChannel channel;
    private final SyncJobs sync;
    private final Clock clock;

    SandboxRouter(SandboxStore sandboxes, LiveWorkers workers, SandboxChannel channel, SyncJobs sync, Clock clock) {
        this.sandboxes = sandboxes;
        this.workers = workers;
        this.channel = channel;
        this.sync = sync;
        this.clock = clock;
    }

    /**
     * The sandbox that took a call, as the caller is told of it.
     *
     * @param restarted it is not the sandbox of the last call: what that one held is gone
     * @param previousSandboxId the sandbox of the last call, when this one is another
     */
    public record Seen(
            String sandboxId, boolean restarted, @Nullable String previousSandboxId) {

        /** Adds {@code sandboxId}, and {@code sandboxRestarted} with {@code previousSandboxId} when so, to an answer. */
        public ObjectNode addTo(ObjectNode out) {
            out.put("sandboxId", sandboxId);
            if (restarted) {
                out.put("sandboxRestarted", true);
                out.put("previousSandboxId", previousSandboxId);
            }
            return out;
        }
    }

    /** An operation's answer, from the sandbox {@code seen}. */
    public record Answered(SandboxAnswer answer, Seen seen) {}

    /** An exec job's end, from the sandbox {@code seen} (null when it reached none). */
    public record Ran(JobFinished finished, @Nullable Seen seen) {}

    /**
     * Runs an operation in the caller's sandbox {@code name}.
     *
     * @throws ApiException the worker's refusal (a file not found, …) as the client's error, or PaperPod's failure
     */
    public Answered command(Caller caller, String name, SandboxOperation operation) {
        return command(caller, name, operation, Duration.ZERO);
    }

    /** The same, for an operation that may take {@code runFor} besides (a cell of {@code /interpret}). */
    public Answered command(Caller caller, String name, SandboxOperation operation, Duration runFor) {
        SandboxStore.Placement placement = placement(caller.accountId(), name);
        Duration wait = COMMAND_WAIT.plus(runFor);
        SandboxCommand command = new SandboxCommand(
                UUID.randomUUID(),
                caller.accountId(),
                name,
                clock.instant().plus(wait),
                caller.sandboxNetwork(),
                operation);
        SandboxReply reply;
        try {
            reply = channel.send(placement.workerId(), command, wait).join();
        } catch (CompletionException e) {
            throw SyncJobs.failure(e.getCause() != null ? e.getCause() : e);
        }
        Seen seen = reply.sandboxId() == null ? null : seen(placement, reply.sandboxId());
        if (reply.error() != null) {
            throw SandboxErrors.of(reply.error(), operation);
        }
        if (seen == null || reply.answer() == null) {
            throw new IllegalStateException("a sandbox reply with an answer names its sandbox");
        }
        return new Answered(reply.answer(), seen);
    }

    /** Sends a sync exec job that names the sandbox to its worker; completes with its end. */
    public CompletableFuture<Ran> exec(SyncJobs.Submission job, String name) {
        SandboxStore.Placement placement = placement(job.job().accountId(), name);
        return sync.submitToWorker(job, placement.workerId())
                .thenApply(finished ->
                        new Ran(finished, finished.sandboxId() == null ? null : seen(placement, finished.sandboxId())));
    }

    /**
     * Where a sandbox's bytes go: its placement, and the tunnel listener of the worker that hosts it.
     *
     * @param owner the sandbox as a tunnel line names it: account, name, and the network it gets if the call makes
     *     it ({@code -} for the worker's default)
     */
    record Streamed(SandboxStore.Placement placement, WorkerHeartbeat.Tunnel tunnel, String owner) {

        /** The line of {@code verb} for this sandbox, with {@code words} after the sandbox's. */
        String line(String verb, Object... words) {
            StringBuilder line = new StringBuilder(verb).append(' ').append(owner);
            for (Object w : words) {
                line.append(' ').append(w);
            }
            return line.toString();
        }
    }

    /** The byte path to the caller's sandbox {@code name}, placed as for a command. */
    Streamed stream(Caller caller, String name) {
        Placed placed = placed(caller.accountId(), name);
        WorkerHeartbeat.Tunnel tunnel = placed.host().tunnel();
        if (tunnel == null) {
            throw new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "NO_WORKER",
                    "the worker hosting the sandbox takes no streamed files",
                    "retry in a few seconds; GET /health shows whether workers are up",
                    null);
        }
        Egress network = caller.sandboxNetwork();
        return new Streamed(
                placed.placement(),
                tunnel,
                caller.accountId() + " " + name + " " + (network == null ? "-" : network.wireName()));
    }

    /** The sandbox that took a streamed call, as the caller is told of it. */
    Seen answeredBy(SandboxStore.Placement placement, String sandboxId) {
        return seen(placement, sandboxId);
    }

    private Seen seen(SandboxStore.Placement placement, String sandboxId) {
        String known = placement.sandboxId();
        if (sandboxId.equals(known)) {
            return new Seen(sandboxId, false, null);
        }
        sandboxes.recordSandbox(placement, sandboxId);
        return new Seen(sandboxId, known != null, known);
    }

    /** Where the sandbox lives now, placed anew when it lives nowhere alive. */
    SandboxStore.Placement placement(UUID accountId, String name) {
        return placed(accountId, name).placement();
    }

    /** A placement, and the live worker it names. */
    private record Placed(SandboxStore.Placement placement, WorkerStore.Worker host) {}

    private Placed placed(UUID accountId, String name) {
        Optional<SandboxStore.Placement> found = sandboxes.find(accountId, name);
        if (found.isPresent()) {
            Optional<WorkerStore.Worker> host = workers.find(found.get().workerId());
            if (host.isPresent()) {
                return new Placed(found.get(), host.get());
            }
        }
        WorkerStore.Worker host = workers.live().stream()
                .filter(w -> exec(w) != null)
                .max(Comparator.comparingInt((WorkerStore.Worker w) -> exec(w).ready())
                        .thenComparing(WorkerStore.Worker::lastSeen))
                .orElseThrow(() -> new ApiException(
                        HttpStatus.SERVICE_UNAVAILABLE,
                        "NO_WORKER",
                        "no worker that runs code has been heard from in the last "
                                + workers.staleness().toSeconds() + " s",
                        "retry in a few seconds; GET /health shows whether workers are up",
                        null));
        SandboxStore.Placement placement = sandboxes.place(accountId, name, host.workerId(), found.orElse(null));
        // a concurrent placement may have won with another worker: the one it names
        WorkerStore.Worker winner = placement.workerId().equals(host.workerId())
                ? host
                : workers.find(placement.workerId())
                        .orElseThrow(() -> new ApiException(
                                HttpStatus.SERVICE_UNAVAILABLE,
                                "NO_WORKER",
                                "the sandbox was placed at the same moment on worker " + placement.workerId()
                                        + ", which is no longer heard from",
                                "retry in a few seconds: the sandbox is placed again on a live worker",
                                null));
        return new Placed(placement, winner);
    }

    private static WorkerHeartbeat.@Nullable Capacity exec(WorkerStore.Worker worker) {
        return worker.capacity().stream()
                .filter(c -> c.kind().equals(JobKind.EXEC))
                .findFirst()
                .orElse(null);
    }
}
