package dev.paperpod.api.sleep;

import dev.paperpod.api.jobs.JobSpecParser;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.api.web.JsonBody;
import dev.paperpod.launcher.sleep.SleepKind;
import dev.paperpod.launcher.sleep.SleepSpec;
import dev.paperpod.schemas.job.JobKind;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/** The test kind's request: {@code {"sleepMs": 100, "echo": "hi", "failAttempts": 0, "timeoutMs": 30000}}. */
@Component
class SleepSpecParser implements JobSpecParser {

    /** The request's fields, as sent. */
    record SleepRequest(
            @Nullable Long sleepMs,
            @Nullable String echo,
            @Nullable Integer failAttempts,
            @Nullable Long timeoutMs) {}

    @Override
    public JobKind kind() {
        return SleepKind.KIND;
    }

    @Override
    public SleepSpec parse(ObjectNode fields) {
        SleepRequest request = JsonBody.bind(fields, SleepRequest.class);
        long sleepMs = request.sleepMs() == null ? 0 : request.sleepMs();
        if (sleepMs < 0) {
            throw ApiException.invalidField("sleepMs", "sleepMs must not be negative", "send 0 or more");
        }
        return new SleepSpec(
                sleepMs,
                request.echo() == null ? "" : request.echo(),
                request.failAttempts() == null ? 0 : request.failAttempts(),
                request.timeoutMs() == null ? sleepMs + 30_000 : request.timeoutMs());
    }
}
