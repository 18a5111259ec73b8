package dev.paperpod.api.sleep;

import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.jobs.JobRequests;
import dev.paperpod.api.sync.SyncJobs;
import dev.paperpod.api.web.JsonBody;
import dev.paperpod.launcher.sleep.SleepKind;
import dev.paperpod.launcher.sleep.SleepResult;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** The test kind's sync endpoint, as a kind's own endpoints are built: {@code POST /sleep} answers its result. */
@RestController
class SleepController {

    private final JsonBody body;
    private final JobRequests requests;
    private final SyncJobs sync;

    SleepController(JsonBody body, JobRequests requests, SyncJobs sync) {
        this.body = body;
        this.requests = requests;
        this.sync = sync;
    }

    @PostMapping("/sleep")
    SleepResult sleep(Caller caller, HttpServletRequest request) {
        var spec = requests.sync(SleepKind.KIND, body.object(request));
        return (SleepResult) SyncJobs.resultOf(sync.await(sync.submit(sync.prepare(caller, spec, false))));
    }
}
