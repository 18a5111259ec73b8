package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.paperpod.launcher.support.Api;
import dev.paperpod.launcher.support.SharedStack;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/jobs}: the job row and its outbox record in one transaction, relayed by Debezium to Kafka, run by
 * a worker, projected back into PostgreSQL, read by polling.
 */
@ExtendWith(SharedStack.class)
class AsyncJobIT {

    private final Api api;

    AsyncJobIT(Api api) {
        this.api = api;
    }

    @Test
    void acceptedJobRunsToSucceededWithItsOutput() {
        Api.Response accepted = api.post(
                "/v1/jobs", Map.of("language", "python", "code", "print('from the background')", "timeoutMs", 20_000));

        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        String id = accepted.text("id");
        assertThat(accepted.text("status")).isEqualTo("QUEUED");
        assertThat(accepted.header("Location")).isEqualTo("/v1/jobs/" + id);

        JsonNode job = api.get("/v1/jobs/" + id + "?wait=60").json();

        assertThat(job.path("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.path("source").asString()).isEqualTo("async");
        assertThat(job.path("attempts").asInt()).isEqualTo(1);
        assertThat(job.path("result").path("stdout").asString()).isEqualTo("from the background\n");
        assertThat(job.path("result").path("exitCode").asInt()).isZero();
        JsonNode timing = job.path("timing");
        assertThat(timing.has("relayedAt"))
                .as("an async job is relayed by the outbox")
                .isTrue();
        assertThat(timing.path("totalMs").asLong())
                .isGreaterThanOrEqualTo(timing.path("queueMs").asLong());
    }

    @Test
    void failingCodeSucceedsWithItsNonZeroExitCode() {
        String id = api.post("/v1/jobs", Map.of("language", "shell", "code", "echo oops >&2; exit 7"))
                .text("id");

        JsonNode job = api.get("/v1/jobs/" + id + "?wait=60").json();

        assertThat(job.path("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.path("result").path("exitCode").asInt()).isEqualTo(7);
        assertThat(job.path("result").path("stderr").asString()).isEqualTo("oops\n");
    }

    @Test
    void codePastItsTimeoutEndsTimedOutAndItsProcessIsGone() {
        // A sleep whose argument no other process on this machine has: the sandbox's processes are the host's too.
        String marker = "300." + System.nanoTime() % 1_000_000_000L;
        String id = api.post(
                        "/v1/jobs",
                        Map.of(
                                "language",
                                "shell",
                                "code",
                                "sleep " + marker + " & sleep " + marker,
                                "timeoutMs",
                                1_000))
                .text("id");

        JsonNode job = api.get("/v1/jobs/" + id + "?wait=60").json();

        assertThat(job.path("status").asString()).as(job.toString()).isEqualTo("TIMED_OUT");
        assertThat(job.path("result").path("verdict").asString()).isEqualTo("TIMEOUT");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.allProcesses()
                        .noneMatch(p -> p.info().commandLine().orElse("").contains(marker)));
    }

    @Test
    void longPollAnswersAtTheDeadlineWhileTheJobRuns() {
        String id = api.post("/v1/jobs", Map.of("language", "shell", "code", "sleep 20", "timeoutMs", 30_000))
                .text("id");

        Api.Response response = api.get("/v1/jobs/" + id + "?wait=1");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text("status")).isIn("QUEUED", "RUNNING");
    }
}
