package dev.paperpod.api.exec;

import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.jobs.JobEventStreams;
import dev.paperpod.api.jobs.JobRequests;
import dev.paperpod.api.sync.SyncJobs;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.api.web.JsonBody;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.http.ExecResponse;
import dev.paperpod.schemas.http.TimingView;
import dev.paperpod.schemas.job.ExecResult;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobSpec;
import jakarta.servlet.http.HttpServletRequest;
import java.util.concurrent.CompletableFuture;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** {@code POST /execute}: run code and answer with its output, the client waiting. */
@RestController
class ExecController {

    private final JsonBody body;
    private final JobRequests requests;
    private final SyncJobs sync;
    private final JobEventStreams streams;

    ExecController(JsonBody body, JobRequests requests, SyncJobs sync, JobEventStreams streams) {
        this.body = body;
        this.requests = requests;
        this.sync = sync;
        this.streams = streams;
    }

    /**
     * {@code /execute} as Server-Sent Events: {@code output} chunks as the program writes them, then
     * {@code finished} with the same answer {@code /execute} gives, or {@code error} with the error body.
     */
    @PostMapping(value = "/execute/stream", produces = "text/event-stream")
    SseEmitter executeStream(Caller caller, HttpServletRequest request) {
        SyncJobs.Submission job = sync.prepare(caller, spec(request), true);
        CompletableFuture<ExecResponse> answer = sync.submit(job).thenApply(ExecController::response);
        return streams.streamSync(job.job().jobId(), answer, e -> {
            RuntimeException failure = SyncJobs.failure(e);
            return failure instanceof ApiException api ? api.body() : failure.getMessage();
        });
    }

    @PostMapping("/execute")
    ExecResponse execute(Caller caller, HttpServletRequest request) {
        return response(sync.await(sync.submit(sync.prepare(caller, spec(request), false))));
    }

    private JobSpec spec(HttpServletRequest request) {
        return requests.sync(JobKind.EXEC, body.object(request));
    }

    private static ExecResponse response(JobFinished finished) {
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
                finished.timing() == null ? null : TimingView.of(finished.timing()));
    }
}
