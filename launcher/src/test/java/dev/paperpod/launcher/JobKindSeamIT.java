package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.paperpod.api.auth.AccountTokens;
import dev.paperpod.launcher.sleep.SleepKind;
import dev.paperpod.launcher.support.Api;
import dev.paperpod.launcher.support.SharedStack;
import dev.paperpod.launcher.support.WorkerProcess;
import dev.paperpod.schemas.Wire;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The job engine serves a kind it has never heard of: {@link SleepKind} is registered only in the test sources (its
 * contract, a request parser in the api, a runner in the worker) and runs sync, in the background, in batches beside
 * exec jobs, canceled, retried after a fault and after its worker was killed, with webhooks and its event stream —
 * through the same consumer, dispatcher, projector and store as exec, none of which names it. Each kind has its own
 * capacity: a sleep kind whose slots are all taken holds no exec job back.
 */
@ExtendWith(SharedStack.class)
class JobKindSeamIT {

    private final Api api;
    private final EmbeddedStack stack;

    JobKindSeamIT(Api api, EmbeddedStack stack) {
        this.api = freshAccount(api, stack);
        this.stack = stack;
    }

    @Test
    void aSyncJobOfTheTestKindIsAnsweredOnItsOwnEndpointAndRecorded() {
        Api.Response answer = api.post("/sleep", Map.of("sleepMs", 20, "echo", "hello"));

        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.text("type")).isEqualTo("sleep");
        assertThat(answer.text("echo")).isEqualTo("hello");
        assertThat(answer.json().path("sleptMs").asLong()).isGreaterThanOrEqualTo(20);
        JsonNode listed = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> api.get("/v1/jobs?kind=sleep&status=SUCCEEDED")
                                .json()
                                .path("data"),
                        d -> !d.isEmpty());
        assertThat(listed.get(0).path("source").asString()).isEqualTo("sync");
        assertThat(listed.get(0).path("result").path("echo").asString()).isEqualTo("hello");
        // the kind's fields are checked by its own parser, the background options by the engine
        assertThat(api.post("/sleep", Map.of("sleepMs", -1))
                        .json()
                        .path("error")
                        .path("field")
                        .asString())
                .isEqualTo("sleepMs");
        assertThat(api.post("/sleep", Map.of("echo", "x", "priority", "high"))
                        .json()
                        .path("error")
                        .path("field")
                        .asString())
                .isEqualTo("priority");
    }

    @Test
    void aBackgroundJobOfTheTestKindRunsAndItsEventsStream() {
        String id = api.post("/v1/jobs", Map.of("kind", "sleep", "sleepMs", 300, "echo", "in the background"))
                .text("id");

        JsonNode job = api.get("/v1/jobs/" + id + "?wait=60").json();

        assertThat(job.path("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.path("kind").asString()).isEqualTo("sleep");
        assertThat(job.path("result").path("type").asString()).isEqualTo("sleep");
        assertThat(job.path("result").path("echo").asString()).isEqualTo("in the background");
        assertThat(job.path("timing").path("runMs").asLong()).isGreaterThanOrEqualTo(300);
        String events = api.get("/v1/jobs/" + id + "/events").body();
        assertThat(events)
                .containsSubsequence(
                        "event:queued", "event:started", "event:output", "sleeping in the background", "event:finished")
                .contains("\"type\":\"sleep\"");
    }

    @Test
    void aBatchMixesKindsAndCompletes() {
        Api.Response accepted = api.post(
                "/v1/batches",
                Map.of(
                        "jobs",
                        List.of(
                                Map.of("language", "shell", "code", "echo exec-in-a-batch"),
                                Map.of("kind", "sleep", "sleepMs", 50, "echo", "one"),
                                Map.of("kind", "sleep", "sleepMs", 50, "echo", "two"))));
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        String batch = accepted.text("id");

        JsonNode view = await().atMost(Duration.ofSeconds(60))
                .until(() -> api.get("/v1/batches/" + batch).json(), b -> b.has("completedAt"));

        assertThat(view.path("counts").path("SUCCEEDED").asInt())
                .as(view.toString())
                .isEqualTo(3);
        List<String> kinds = new ArrayList<>();
        api.get("/v1/jobs?batch=" + batch)
                .json()
                .path("data")
                .forEach(j -> kinds.add(j.path("kind").asString()));
        assertThat(kinds).containsExactlyInAnyOrder("exec", "sleep", "sleep");
        // a wrong item of the test kind is named like any other
        Api.Response refused = api.post(
                "/v1/batches",
                Map.of(
                        "template",
                        Map.of("kind", "sleep"),
                        "inputs",
                        List.of(Map.of("echo", "a"), Map.of("sleepMs", "soon"))));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("error").path("field").asString()).isEqualTo("inputs[1].sleepMs");
    }

    @Test
    void aRunningJobOfTheTestKindIsCanceled() {
        String id = api.post("/v1/jobs", Map.of("kind", "sleep", "sleepMs", 120_000, "echo", "long"))
                .text("id");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> api.get("/v1/jobs/" + id).text("status"), "RUNNING"::equals);

        assertThat(api.post("/v1/jobs/" + id + "/cancel", "").status()).isEqualTo(202);

        JsonNode job = api.get("/v1/jobs/" + id + "?wait=30").json();
        assertThat(job.path("status").asString()).as(job.toString()).isEqualTo("CANCELED");
        assertThat(job.path("error").path("code").asString()).isEqualTo("CANCELED");
    }

    @Test
    void aRetryableFaultOfTheTestKindIsRetriedAndItsWebhookSaysHowItEnded() throws IOException {
        ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks";
            assertThat(api.post("/v1/webhook-endpoints", Map.of("url", url, "events", List.of("job.succeeded")))
                            .status())
                    .isEqualTo(201);

            String id = api.post(
                            "/v1/jobs",
                            Map.of("kind", "sleep", "echo", "second time", "failAttempts", 1, "maxAttempts", 2))
                    .text("id");

            JsonNode job = api.get("/v1/jobs/" + id + "?wait=60").json();
            assertThat(job.path("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
            assertThat(job.path("attempts").asInt()).isEqualTo(2);
            assertThat(job.path("result").path("attempt").asInt()).isEqualTo(2);
            String events = api.get("/v1/jobs/" + id + "/events").body();
            assertThat(events).contains("event:attempt.failed").contains("SLEEP_FAULT");
            JsonNode hook = await().atMost(Duration.ofSeconds(30))
                    .until(
                            () -> received.stream()
                                    .map(Wire.mapper()::readTree)
                                    .filter(h ->
                                            h.path("data").path("id").asString().equals(id))
                                    .findFirst()
                                    .orElse(null),
                            h -> h != null);
            assertThat(hook.path("type").asString()).isEqualTo("job.succeeded");
            assertThat(hook.path("data").path("kind").asString()).isEqualTo("sleep");
            assertThat(hook.path("data").path("result").path("echo").asString()).isEqualTo("second time");
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void aKindWhoseCapacityIsTakenHoldsNoExecJobBackAndItsBatchIsCanceledJobByJob() {
        // Two slots per worker, four jobs in flight per slot: 8 on their way or running, the rest wait.
        List<Map<String, Object>> inputs = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            inputs.add(Map.of("echo", "slow-" + i));
        }
        String batch = api.post(
                        "/v1/batches",
                        Map.of("template", Map.of("kind", "sleep", "sleepMs", 120_000), "inputs", inputs))
                .text("id");
        try {
            await().atMost(Duration.ofSeconds(30))
                    .until(
                            () -> api.get("/v1/batches/" + batch)
                                    .json()
                                    .path("counts")
                                    .path("RUNNING")
                                    .asInt(),
                            n -> n == 2);

            JsonNode exec = api.post("/execute", Map.of("language", "shell", "code", "echo not held back"))
                    .json();

            assertThat(exec.path("stdout").asString()).as(exec.toString()).isEqualTo("not held back\n");
            String background = api.post("/v1/jobs", Map.of("language", "shell", "code", "echo nor this"))
                    .text("id");
            assertThat(api.get("/v1/jobs/" + background + "?wait=30").text("status"))
                    .isEqualTo("SUCCEEDED");
            JsonNode counts = api.get("/v1/batches/" + batch).json().path("counts");
            assertThat(counts.path("QUEUED").asInt()).as(counts.toString()).isEqualTo(12);
        } finally {
            // whatever failed above, nothing of this batch is left to hold the kind's slots for the next tests
            api.post("/v1/batches/" + batch + "/cancel", "");
        }

        JsonNode canceled = api.post("/v1/batches/" + batch + "/cancel", "").json();
        assertThat(canceled.path("canceledAt").isMissingNode())
                .as("a second cancel answers the batch")
                .isFalse();
        JsonNode done = await().atMost(Duration.ofSeconds(30))
                .until(() -> api.get("/v1/batches/" + batch).json(), b -> b.has("completedAt"));
        assertThat(done.path("counts").path("CANCELED").asInt())
                .as(done.toString())
                .isEqualTo(14);
        for (JsonNode job :
                api.get("/v1/jobs?batch=" + batch + "&limit=100").json().path("data")) {
            assertThat(job.path("error").path("code").asString()).isEqualTo("CANCELED");
        }
    }

    @Test
    void aJobOfTheTestKindWhoseWorkerIsKilledRunsAgainElsewhere() {
        List<ConfigurableApplicationContext> embedded = stack.workers();
        embedded.forEach(stack::stopWorker);
        String id;
        try (WorkerProcess doomed = WorkerProcess.start(
                stack,
                "worker-doomed-" + UUID.randomUUID().toString().substring(0, 8),
                Map.of(
                        "paperpod.worker.sandbox.image",
                        "localhost/paperpod/test",
                        "paperpod.worker.sandbox.min-idle",
                        "0"))) {
            id = api.post("/v1/jobs", Map.of("kind", "sleep", "sleepMs", 3_000, "echo", "survivor"))
                    .text("id");
            await().atMost(Duration.ofSeconds(90))
                    .until(
                            () -> api.get("/v1/jobs/" + id).json(),
                            j -> j.path("status").asString().equals("RUNNING"));

            doomed.kill();
        } finally {
            stack.startWorker();
        }

        JsonNode job = await().atMost(Duration.ofSeconds(120))
                .until(
                        () -> api.get("/v1/jobs/" + id + "?wait=30").json(),
                        j -> j.path("status").asString().equals("SUCCEEDED"));
        assertThat(job.path("result").path("echo").asString()).isEqualTo("survivor");
    }

    private static Api freshAccount(Api api, EmbeddedStack stack) {
        String token = "pp_kinds_" + UUID.randomUUID();
        stack.api().getBean(AccountTokens.class).register("kinds-" + token, "test", token);
        return api.withToken(token);
    }
}
