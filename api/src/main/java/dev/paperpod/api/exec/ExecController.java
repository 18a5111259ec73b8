package dev.paperpod.api.exec;

import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.jobs.JobEventStreams;
import dev.paperpod.api.jobs.JobRequests;
import dev.paperpod.api.sandbox.SandboxNames;
import dev.paperpod.api.sandbox.SandboxRouter;
import dev.paperpod.api.sync.SyncJobs;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.api.web.JsonBody;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.http.ExecResponse;
import dev.paperpod.schemas.http.TimingView;
import dev.paperpod.schemas.job.ExecResult;
import dev.paperpod.schemas.job.ExecSpec;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobSpec;
import jakarta.servlet.http.HttpServletRequest;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.node.ObjectNode;

/** {@code POST /execute}: run code and answer with its output, the client waiting. */
@RestController
class ExecController {

    private final JsonBody body;
    private final JobRequests requests;
    private final SyncJobs sync;
    private final SandboxRouter sandboxes;
    private final JobEventStreams streams;

    ExecController(
            JsonBody body, JobRequests requests, SyncJobs sync, SandboxRouter sandboxes, JobEventStreams streams) {
        this.body = body;
        this.requests = requests;
        this.sync = sync;
        this.sandboxes = sandboxes;
        this.streams = streams;
    }

    /**
     * {@code /execute} as Server-Sent Events: {@code output} chunks as the program writes them, then
     * {@code finished} with the same answer {@code /execute} gives, or {@code error} with the error body.
     */
    @PostMapping(value = "/execute/stream", produces = "text/event-stream")
    SseEmitter executeStream(Caller caller, HttpServletRequest request) {
        String sandbox = SandboxNames.of(request);
        SyncJobs.Submission job = sync.prepare(caller, spec(caller, request, sandbox), true);
        CompletableFuture<ExecResponse> answer = submit(job, sandbox);
        return streams.streamSync(job.job().jobId(), answer, e -> {
            RuntimeException failure = SyncJobs.failure(e);
            return failure instanceof ApiException api ? api.body() : failure.getMessage();
        });
    }

    /**
     * Runs code in the account's own sandbox ({@code X-PaperPod-Sandbox}, {@code default} when absent), which keeps
     * its files and processes for the next call; {@code X-PaperPod-Sandbox: ephemeral} runs it in a fresh pool
     * sandbox with the request's own {@code network}, keeping nothing.
     */
    @PostMapping("/execute")
    ExecResponse execute(Caller caller, HttpServletRequest request) {
        String sandbox = SandboxNames.of(request);
        return sync.await(submit(sync.prepare(caller, spec(caller, request, sandbox), false), sandbox));
    }

    private CompletableFuture<ExecResponse> submit(SyncJobs.Submission job, String sandbox) {
        if (sandbox.equals(SandboxNames.EPHEMERAL)) {
            return sync.submit(job).thenApply(finished -> response(finished, null));
        }
        return sandboxes.exec(job, sandbox).thenApply(ran -> response(ran.finished(), ran.seen()));
    }

    private JobSpec spec(Caller caller, HttpServletRequest request, String sandbox) {
        ObjectNode fields = body.object(request);
        if (sandbox.equals(SandboxNames.EPHEMERAL)) {
            return requests.sync(JobKind.EXEC, fields);
        }
        if (fields.has("network")) {
            throw ApiException.invalidField(
                    "network",
                    "network is chosen per request only for ephemeral sandboxes; your own sandbox has its own",
                    "leave network out (GET /status shows your sandbox's), or send " + SandboxNames.HEADER
                            + ": ephemeral for a fresh sandbox with this network");
        }
        ExecSpec spec = (ExecSpec) requests.sync(JobKind.EXEC, fields);
        return new ExecSpec(
                spec.language(),
                spec.code(),
                spec.timeoutMs(),
                spec.env(),
                spec.stdin(),
                caller.sandboxNetwork(), // if this run makes the sandbox
                sandbox);
    }

    private static ExecResponse response(JobFinished finished, SandboxRouter.@Nullable Seen seen) {
        ExecResult result = (ExecResult) SyncJobs.resultOf(finished);
        return new ExecResponse(
                result.stdout(),
                result.stderr(),
                result.exitCode(),
                result.durationMs(),
                result.cpuMs(),
                result.peakMemoryBytes(),
                result.verdict(),
                result.truncated(),
                finished.jobId(),
                finished.timing() == null ? null : TimingView.of(finished.timing()),
                seen == null ? finished.sandboxId() : seen.sandboxId(),
                seen != null && seen.restarted() ? Boolean.TRUE : null,
                seen == null ? null : seen.previousSandboxId());
    }
}
