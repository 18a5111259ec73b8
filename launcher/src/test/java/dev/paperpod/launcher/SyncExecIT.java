package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.paperpod.launcher.support.Api;
import dev.paperpod.launcher.support.SharedStack;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/** {@code POST /execute}: HTTP → Kafka → worker → Podman sandbox → agent → Kafka → HTTP, the client waiting. */
@ExtendWith(SharedStack.class)
class SyncExecIT {

    private final Api api;

    SyncExecIT(Api api) {
        this.api = api.withSandbox("ephemeral"); // the pool path: a fresh sandbox per call
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "python     | print(6 * 7)                              | 42",
                "javascript | console.log([1, 2, 3].map(x => x * 2).join(','))  | 2,4,6",
                "shell      | echo \"$((6 * 7)) from $(basename $PWD)\" | 42 from workspace"
            })
    void runsEachLanguageAndAnswersWithItsOutput(String language, String code, String expected) {
        Api.Response response = api.post("/execute", Map.of("language", language, "code", code));

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.path("stdout").asString()).isEqualTo(expected + "\n");
        assertThat(body.path("stderr").asString()).isEmpty();
        assertThat(body.path("exitCode").asInt()).isZero();
        assertThat(body.path("verdict").asString()).isEqualTo("OK");
        assertThat(body.path("durationMs").asLong()).isNotNegative();
        assertThat(body.path("cpuMs").isIntegralNumber())
                .as("CPU time of the run")
                .isTrue();
        assertThat(body.path("peakMemoryBytes").asLong())
                .as("peak memory of the sandbox")
                .isPositive();
        assertThat(body.path("jobId").asString()).isNotBlank();
        JsonNode timing = body.path("timing");
        assertThat(timing.path("totalMs").asLong())
                .isGreaterThanOrEqualTo(timing.path("runMs").asLong());
        assertThat(timing.has("startedAt")).isTrue();
    }

    @Test
    void aProgramThatFailsIsAResultWithItsExitCode() {
        Api.Response response = api.post(
                "/execute",
                Map.of("language", "python", "code", "import sys\nprint('partial')\nsys.exit('went wrong')"));

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().path("exitCode").asInt()).isEqualTo(1);
        assertThat(response.json().path("verdict").asString()).isEqualTo("OK");
        assertThat(response.text("stdout")).isEqualTo("partial\n");
        assertThat(response.text("stderr")).contains("went wrong");
    }

    @Test
    void passesEnvironmentAndStandardInput() {
        Api.Response response = api.post(
                "/execute",
                Map.of(
                        "language", "shell",
                        "code", "read line; echo \"$GREETING, $line\"",
                        "env", Map.of("GREETING", "hello"),
                        "stdin", "world\n"));

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.text("stdout")).isEqualTo("hello, world\n");
    }

    @Test
    void stopsCodePastItsTimeoutWithATimeoutVerdict() {
        Api.Response response =
                api.post("/execute", Map.of("language", "python", "code", "while True: pass", "timeoutMs", 1000));

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().path("verdict").asString()).isEqualTo("TIMEOUT");
        assertThat(response.json().has("exitCode")).isFalse();
        assertThat(response.json().path("durationMs").asLong()).isBetween(1000L, 10_000L);
    }

    @Test
    void recordsASyncJobInItsHistory() {
        Api.Response response = api.post("/execute", Map.of("language", "shell", "code", "echo recorded"));
        String jobId = response.text("jobId");

        // The projector records the job from its events, a moment after the client had its answer.
        JsonNode view = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> api.get("/v1/jobs/" + jobId),
                        r -> r.status() == 200 && r.text("status").equals("SUCCEEDED"))
                .json();
        assertThat(view.path("source").asString()).isEqualTo("sync");
        assertThat(view.path("result").path("stdout").asString()).isEqualTo("recorded\n");
    }
}
