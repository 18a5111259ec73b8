package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.paperpod.launcher.support.Api;
import dev.paperpod.launcher.support.SharedStack;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.context.ConfigurableApplicationContext;

/** Health tells the truth about workers, and an accepted job waits for one rather than being lost. */
@ExtendWith(SharedStack.class)
class WorkerAvailabilityIT {

    private final Api api;
    private final EmbeddedStack stack;

    WorkerAvailabilityIT(Api api, EmbeddedStack stack) {
        this.api = api;
        this.stack = stack;
    }

    @Test
    void healthIsUpWithEveryCheckWhenAWorkerHasAReadySandbox() {
        Api.Response health = await().atMost(Duration.ofSeconds(60))
                .until(() -> api.withToken(null).get("/health"), r -> r.status() == 200);

        assertThat(health.text("status")).isEqualTo("UP");
        assertThat(health.json().path("checks").propertyNames())
                .containsExactlyInAnyOrder("postgres", "kafka", "outboxRelay", "workers");
    }

    @Test
    void anAcceptedJobWaitsForAWorkerAndRunsWhenOneStarts() {
        for (ConfigurableApplicationContext worker : stack.workers()) {
            stack.stopWorker(worker);
        }
        try {
            Api.Response down = await().atMost(Duration.ofSeconds(30))
                    .until(() -> api.withToken(null).get("/health"), r -> r.status() == 503);
            assertThat(down.json().path("checks").path("workers").path("up").asBoolean())
                    .isFalse();

            String id = api.post("/v1/jobs", Map.of("language", "python", "code", "print('waited')"))
                    .text("id");
            // The long poll itself waits its two seconds: the job must still be queued after them.
            assertThat(api.get("/v1/jobs/" + id + "?wait=2").text("status")).isEqualTo("QUEUED");

            stack.startWorker();

            Api.Response done = api.get("/v1/jobs/" + id + "?wait=60");
            assertThat(done.text("status")).as(done.toString()).isEqualTo("SUCCEEDED");
            assertThat(done.json().path("result").path("stdout").asString()).isEqualTo("waited\n");
        } finally {
            if (stack.workers().isEmpty()) {
                stack.startWorker();
            }
            // the next test class finds the stack as this one found it: a worker heard from, which placing an
            // account's sandbox needs (it answers 503 NO_WORKER until then)
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> api.withToken(null).get("/health"), r -> r.status() == 200);
        }
    }
}
