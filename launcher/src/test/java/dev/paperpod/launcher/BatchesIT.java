package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.paperpod.api.auth.AccountTokens;
import dev.paperpod.launcher.support.Api;
import dev.paperpod.launcher.support.SharedStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/** {@code /v1/batches} and {@code GET /v1/jobs}: bulk submission, progress, cancel, and paging through results. */
@ExtendWith(SharedStack.class)
class BatchesIT {

    private static final Logger log = LoggerFactory.getLogger(BatchesIT.class);

    private final EmbeddedStack stack;
    private final Api api;

    BatchesIT(Api api, EmbeddedStack stack) {
        this.stack = stack;
        this.api = api;
    }

    @Test
    void aTemplateBatchRunsEveryInputAndItsResultsPageThrough() {
        Api mine = freshAccount();
        List<Map<String, Object>> inputs = IntStream.range(0, 20)
                .mapToObj(i -> Map.<String, Object>of("stdin", "item-" + i))
                .toList();
        Api.Response accepted = mine.post(
                "/v1/batches",
                Map.of(
                        "template",
                        Map.of("language", "shell", "code", "cat; echo", "timeoutMs", 20_000),
                        "inputs",
                        inputs));

        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        String id = accepted.text("id");
        assertThat(accepted.json().path("total").asInt()).isEqualTo(20);
        JsonNode done = await().atMost(Duration.ofSeconds(120))
                .until(() -> mine.get("/v1/batches/" + id).json(), b -> b.has("completedAt"));
        assertThat(done.path("counts").path("SUCCEEDED").asLong())
                .as(done.toString())
                .isEqualTo(20);
        assertThat(done.path("progress").asDouble()).isEqualTo(1.0);
        assertThat(done.has("firstStartedAt")).isTrue();

        Set<String> outputs = new HashSet<>();
        Set<String> ids = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = mine.get("/v1/jobs?batch=" + id + "&limit=7" + (cursor == null ? "" : "&cursor=" + cursor))
                    .json();
            pages++;
            for (JsonNode job : page.path("data")) {
                ids.add(job.path("id").asString());
                outputs.add(job.path("result").path("stdout").asString());
            }
            cursor = page.path("hasMore").asBoolean() ? page.path("nextCursor").asString() : null;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(ids).hasSize(20);
        assertThat(outputs)
                .containsAll(
                        IntStream.range(0, 20).mapToObj(i -> "item-" + i + "\n").toList());
    }

    @Test
    void tenThousandJobsAreAcceptedAtOnceAndTheBatchCanBeCanceled() {
        Api mine = freshAccount();
        List<Map<String, Object>> jobs = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            jobs.add(Map.of("language", "shell", "code", "echo " + i));
        }
        long start = System.nanoTime();
        Api.Response accepted = mine.post("/v1/batches", Map.of("jobs", jobs));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        log.info("BATCH 10,000 jobs accepted in {} ms (HTTP round trip, JSON, validation, one transaction)", tookMs);

        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        String id = accepted.text("id");
        JsonNode canceled = mine.post("/v1/batches/" + id + "/cancel", "").json();
        assertThat(canceled.has("canceledAt")).isTrue();

        JsonNode done = await().atMost(Duration.ofSeconds(120))
                .until(() -> mine.get("/v1/batches/" + id).json(), b -> b.has("completedAt"));
        JsonNode counts = done.path("counts");
        long total = 0;
        for (String status : List.of("SUCCEEDED", "CANCELED", "FAILED")) {
            total += counts.path(status).asLong();
        }
        log.info("BATCH after cancel: {}", counts);
        assertThat(total).as(done.toString()).isEqualTo(10_000);
        assertThat(counts.path("CANCELED").asLong()).isGreaterThan(9_000);
        assertThat(done.path("ended").asLong()).isEqualTo(10_000);
        JsonNode queued =
                mine.get("/v1/jobs?batch=" + id + "&status=QUEUED,RUNNING").json();
        assertThat(queued.path("data")).isEmpty();
    }

    @Test
    void aBatchWithOneBadItemIsRefusedWholeNamingTheItem() {
        Api mine = freshAccount();
        Api.Response refused = mine.post(
                "/v1/batches",
                Map.of("jobs", List.of(Map.of("language", "shell", "code", "echo ok"), Map.of("code", "echo no"))));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("error").path("field").asString()).isEqualTo("jobs[1].language");
        assertThat(mine.get("/v1/jobs").json().path("data"))
                .as("nothing stored")
                .isEmpty();

        Api.Response both = mine.post(
                "/v1/batches",
                Map.of(
                        "jobs", List.of(Map.of("language", "shell", "code", "echo")),
                        "template", Map.of("language", "shell"),
                        "inputs", List.of(Map.of("code", "echo"))));
        assertThat(both.status()).isEqualTo(400);
        assertThat(mine.get("/v1/batches/" + UUID.randomUUID()).status()).isEqualTo(404);
    }

    @Test
    void jobListsFilterAndRefuseBadParameters() {
        Api mine = freshAccount();
        String ok = mine.post("/v1/jobs", Map.of("language", "shell", "code", "echo a"))
                .text("id");
        String failing = mine.post("/v1/jobs", Map.of("language", "shell", "code", "sleep 5", "timeoutMs", 300))
                .text("id");
        mine.get("/v1/jobs/" + ok + "?wait=30");
        mine.get("/v1/jobs/" + failing + "?wait=30");

        JsonNode all = mine.get("/v1/jobs").json();
        assertThat(all.path("data")).hasSize(2);
        assertThat(all.path("data").get(0).path("id").asString())
                .as("newest first")
                .isEqualTo(failing);
        JsonNode timedOut = mine.get("/v1/jobs?status=timed_out&kind=exec").json();
        assertThat(timedOut.path("data")).hasSize(1);
        assertThat(timedOut.path("data").get(0).path("id").asString()).isEqualTo(failing);
        assertThat(timedOut.path("hasMore").asBoolean()).isFalse();

        for (String bad : List.of("status=DONE", "kind=video", "limit=0", "limit=101", "cursor=nonsense", "batch=7")) {
            Api.Response response = mine.get("/v1/jobs?" + bad);
            assertThat(response.status()).as(bad).isEqualTo(400);
            assertThat(response.json().path("error").path("field").asString())
                    .isEqualTo(bad.substring(0, bad.indexOf('=')));
        }
    }

    private Api freshAccount() {
        String token = "pp_batch_" + UUID.randomUUID();
        stack.api().getBean(AccountTokens.class).register("batch-" + token, "test", token);
        return api.withToken(token);
    }
}
