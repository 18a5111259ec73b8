package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.paperpod.launcher.support.Api;
import dev.paperpod.launcher.support.SharedStack;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
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
    private final EmbeddedStack stack;

    AsyncJobIT(Api api, EmbeddedStack stack) {
        this.api = api;
        this.stack = stack;
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
    void codePastItsTimeoutEndsTimedOutAndItsProcessIsGone() throws Exception {
        String id = api.post(
                        "/v1/jobs", Map.of("language", "shell", "code", "sleep 300 & sleep 300", "timeoutMs", 1_000))
                .text("id");

        JsonNode job = api.get("/v1/jobs/" + id + "?wait=60").json();

        assertThat(job.path("status").asString()).as(job.toString()).isEqualTo("TIMED_OUT");
        assertThat(job.path("result").path("verdict").asString()).isEqualTo("TIMEOUT");
        String sandbox = sandboxOf(UUID.fromString(id));
        try (DockerClient docker = docker()) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> docker.listContainersCmd()
                            .withShowAll(true)
                            .withLabelFilter(Map.of("dev.paperpod.sandbox", sandbox))
                            .exec()
                            .isEmpty());
        }
    }

    @Test
    void longPollAnswersAtTheDeadlineWhileTheJobRuns() {
        String id = api.post("/v1/jobs", Map.of("language", "shell", "code", "sleep 20", "timeoutMs", 30_000))
                .text("id");

        Api.Response response = api.get("/v1/jobs/" + id + "?wait=1");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text("status")).isIn("QUEUED", "RUNNING");
    }

    private String sandboxOf(UUID jobId) throws Exception {
        try (Connection c = stack.postgres().dataSource().getConnection();
                PreparedStatement s = c.prepareStatement("select sandbox_id from job_attempts where job_id = ?")) {
            s.setObject(1, jobId);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).as("an attempt of job %s", jobId).isTrue();
                return rs.getString(1);
            }
        }
    }

    private DockerClient docker() {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(stack.podmanHost())
                .build();
        return DockerClientImpl.getInstance(
                config,
                new ZerodepDockerHttpClient.Builder()
                        .dockerHost(URI.create(stack.podmanHost()))
                        .build());
    }
}
