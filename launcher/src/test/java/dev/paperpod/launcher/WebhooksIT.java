package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.paperpod.api.auth.AccountTokens;
import dev.paperpod.launcher.support.Api;
import dev.paperpod.launcher.support.SharedStack;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * Webhooks as Standard Webhooks defines them, against a real receiver on loopback (allow-listed for the tests):
 * the retry schedule, Retry-After, timeouts, 410 Gone, signatures (checked here with an implementation of the
 * spec's own), secret rotation, the delivery log and replay, and the SSRF guard.
 */
@ExtendWith(SharedStack.class)
class WebhooksIT {

    /** The shortened schedule the shared stack runs with: the wait before attempts 2, 3, … */
    private static final Duration STEP = Duration.ofMillis(300);

    private final EmbeddedStack stack;
    private final Api api;
    private final List<HttpServer> receivers = new ArrayList<>();

    WebhooksIT(Api api, EmbeddedStack stack) {
        this.stack = stack;
        this.api = api;
    }

    @AfterEach
    void stopReceivers() {
        receivers.forEach(r -> r.stop(0));
    }

    @Test
    void theScheduleIsFollowedThrough500TimeoutAnd429UntilA410DisablesTheEndpoint() throws Exception {
        Receiver receiver = receiver(List.of(
                new Answer(500, null, Duration.ZERO),
                new Answer(200, null, Duration.ofSeconds(3)), // past the 1 s timeout: no answer, as far as we know
                new Answer(429, "2", Duration.ZERO),
                new Answer(410, null, Duration.ZERO)));
        Api mine = freshAccount();
        JsonNode endpoint = register(mine, receiver.url(), List.of("job.succeeded"));
        String secret = endpoint.path("secret").asString();

        String job = mine.post("/v1/jobs", Map.of("language", "shell", "code", "echo hooked"))
                .text("id");
        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.calls.size() >= 4);
        JsonNode disabled = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> mine.get("/v1/webhook-endpoints/"
                                        + endpoint.path("id").asString())
                                .json(),
                        e -> e.has("disabledAt"));

        List<Call> calls = List.copyOf(receiver.calls);
        assertThat(calls).hasSize(4);
        for (Call call : calls) {
            assertThat(verifies(secret, call)).as("signature of %s", call).isTrue();
            assertThat(call.id()).isEqualTo(calls.get(0).id());
            JsonNode payload = dev.paperpod.schemas.Wire.mapper().readTree(call.body());
            assertThat(payload.path("type").asString()).isEqualTo("job.succeeded");
            assertThat(payload.path("data").path("id").asString()).isEqualTo(job);
            assertThat(payload.path("data").path("result").path("stdout").asString())
                    .isEqualTo("hooked\n");
        }
        assertThat(gap(calls, 0, 1)).isGreaterThanOrEqualTo(STEP);
        assertThat(gap(calls, 1, 2)).as("the timeout, then the schedule").isGreaterThanOrEqualTo(STEP.plusSeconds(1));
        assertThat(gap(calls, 2, 3))
                .as("Retry-After: 2 outranks the 300 ms step")
                .isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        assertThat(disabled.path("disabledReason").asString()).contains("410");

        JsonNode deliveries = mine.get(
                        "/v1/webhook-endpoints/" + endpoint.path("id").asString() + "/deliveries")
                .json();
        JsonNode delivery = deliveries.get(0);
        assertThat(delivery.path("status").asString()).isEqualTo("FAILED");
        assertThat(delivery.path("id").asString()).isEqualTo(calls.get(0).id());
        List<Integer> codes = new ArrayList<>();
        for (JsonNode attempt : delivery.path("log")) {
            codes.add(attempt.has("statusCode") ? attempt.path("statusCode").asInt() : null);
        }
        assertThat(codes).containsExactly(500, null, 429, 410);
        assertThat(delivery.path("log").get(1).path("error").asString()).contains("no answer");
    }

    @Test
    void aRotatedSecretSignsBesideTheOldOneAndADeliveryCanBeReplayed() throws Exception {
        Receiver receiver = receiver(List.of());
        Api mine = freshAccount();
        JsonNode endpoint = register(mine, receiver.url(), List.of());
        String id = endpoint.path("id").asString();
        String oldSecret = endpoint.path("secret").asString();
        JsonNode rotated =
                mine.post("/v1/webhook-endpoints/" + id + "/rotate-secret", "").json();
        String newSecret = rotated.path("secret").asString();
        assertThat(newSecret).startsWith("whsec_").isNotEqualTo(oldSecret);
        assertThat(mine.get("/v1/webhook-endpoints/" + id).json().has("secret"))
                .as("a secret is shown once")
                .isFalse();

        mine.post("/v1/jobs", Map.of("language", "shell", "code", "exit 3"));
        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.calls.size() >= 1);
        Call first = receiver.calls.peek();
        assertThat(first.signature().split(" ")).hasSize(2);
        assertThat(verifies(newSecret, first)).isTrue();
        assertThat(verifies(oldSecret, first)).isTrue();

        JsonNode delivery = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> mine.get("/v1/webhook-endpoints/" + id + "/deliveries")
                                .json()
                                .get(0),
                        d -> d.path("status").asString().equals("SUCCEEDED"));
        Api.Response replay =
                mine.post("/v1/webhook-deliveries/" + delivery.path("id").asString() + "/replay", "");
        assertThat(replay.status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.calls.size() >= 2);
        assertThat(List.copyOf(receiver.calls).get(1).id())
                .as("the same webhook-id")
                .isEqualTo(first.id());
    }

    @Test
    void aJobsOrBatchsOwnWebhookUrlReachesThatEndpointWhateverItsFilter() throws Exception {
        Receiver receiver = receiver(List.of());
        Api mine = freshAccount();
        JsonNode endpoint = register(mine, receiver.url(), List.of("job.timed_out"));
        String secret = endpoint.path("secret").asString();

        String quiet = mine.post("/v1/jobs", Map.of("language", "shell", "code", "echo quiet"))
                .text("id");
        String loud = mine.post(
                        "/v1/jobs", Map.of("language", "shell", "code", "echo loud", "webhookUrl", receiver.url()))
                .text("id");
        String batch = mine.post(
                        "/v1/batches",
                        Map.of(
                                "jobs", List.of(Map.of("language", "shell", "code", "echo b")),
                                "webhookUrl", receiver.url()))
                .text("id");
        mine.get("/v1/jobs/" + quiet + "?wait=30");

        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.calls.size() >= 2);
        List<String> types = new ArrayList<>();
        List<String> subjects = new ArrayList<>();
        for (Call call : List.copyOf(receiver.calls)) {
            assertThat(verifies(secret, call)).isTrue();
            JsonNode payload = dev.paperpod.schemas.Wire.mapper().readTree(call.body());
            types.add(payload.path("type").asString());
            subjects.add(payload.path("data").path("id").asString());
        }
        assertThat(types).containsExactlyInAnyOrder("job.succeeded", "batch.completed");
        assertThat(subjects).containsExactlyInAnyOrder(loud, batch).doesNotContain(quiet);

        Api.Response unknown = mine.post(
                "/v1/jobs",
                Map.of("language", "shell", "code", "echo", "webhookUrl", "https://example.com/unregistered"));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().path("error").path("field").asString()).isEqualTo("webhookUrl");
    }

    @Test
    void internalTargetsAreRefusedUnlessAllowListed() {
        Api mine = freshAccount();
        for (String url : List.of(
                "http://127.0.0.2:9/hook",
                "http://169.254.169.254/latest/meta-data",
                "http://10.0.0.1/hook",
                "file:///etc/passwd")) {
            Api.Response refused = mine.post("/v1/webhook-endpoints", Map.of("url", url));
            assertThat(refused.status()).as(url).isEqualTo(400);
            assertThat(refused.json().path("error").path("field").asString()).isEqualTo("url");
        }
        Api.Response badEvent = mine.post(
                "/v1/webhook-endpoints", Map.of("url", "http://127.0.0.1:9/x", "events", List.of("job.done")));
        assertThat(badEvent.status()).isEqualTo(400);
        assertThat(badEvent.json().path("error").path("field").asString()).isEqualTo("events");
    }

    // Standard Webhooks verification, written from the spec, independent of the sender's code.
    @Test
    void aBatchOfPagesSaysWhenItIsDoneWithItsCountsAndEachPageIsAnArtifact() throws Exception {
        Receiver receiver = receiver(List.of());
        Api mine = freshAccount();
        String secret = register(mine, receiver.url(), List.of("batch.completed"))
                .path("secret")
                .asString();
        List<Map<String, Object>> pages = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            pages.add(Map.of("html", "<h1>page " + i + "</h1>"));
        }
        String batch = mine.post(
                        "/v1/batches",
                        Map.of(
                                "template",
                                Map.of("kind", "browser", "operation", "screenshot"),
                                "inputs",
                                pages,
                                "webhookUrl",
                                receiver.url()))
                .text("id");

        await().atMost(Duration.ofSeconds(120)).until(() -> receiver.calls.size() >= 1);
        Call call = receiver.calls.peek();
        assertThat(verifies(secret, call)).isTrue();
        JsonNode payload = dev.paperpod.schemas.Wire.mapper().readTree(call.body());
        assertThat(payload.path("type").asString()).isEqualTo("batch.completed");
        assertThat(payload.path("data").path("id").asString()).isEqualTo(batch);
        assertThat(payload.path("data").path("counts").path("SUCCEEDED").asInt())
                .as(payload.toString())
                .isEqualTo(5);
        assertThat(payload.path("data").path("total").asInt()).isEqualTo(5);
        JsonNode jobs =
                mine.get(payload.path("data").path("jobsUrl").asString()).json().path("data");
        assertThat(jobs.findValuesAsString("name"))
                .as("every page's screenshot, to download")
                .containsOnly("screenshot.png")
                .hasSize(5);
    }

    private static boolean verifies(String secret, Call call) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        String expected = Base64.getEncoder()
                .encodeToString(mac.doFinal(
                        (call.id() + "." + call.timestamp() + "." + call.body()).getBytes(StandardCharsets.UTF_8)));
        long age = Math.abs(Instant.now().getEpochSecond() - Long.parseLong(call.timestamp()));
        if (age > 300) {
            return false; // the spec's tolerance against replays
        }
        for (String signature : call.signature().split(" ")) {
            if (signature.equals("v1," + expected)) {
                return true;
            }
        }
        return false;
    }

    private static Duration gap(List<Call> calls, int from, int to) {
        return Duration.between(calls.get(from).at(), calls.get(to).at());
    }

    private static JsonNode register(Api account, String url, List<String> events) {
        Api.Response created = account.post("/v1/webhook-endpoints", Map.of("url", url, "events", events));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json();
    }

    private Api freshAccount() {
        String token = "pp_hooks_" + UUID.randomUUID();
        stack.api().getBean(AccountTokens.class).register("hooks-" + token, "test", token);
        return api.withToken(token);
    }

    record Answer(int status, String retryAfter, Duration delay) {}

    record Call(Instant at, String id, String timestamp, String signature, String body) {}

    /** A webhook receiver on loopback that answers as scripted (then 204), and remembers every call. */
    private Receiver receiver(List<Answer> script) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        Receiver receiver = new Receiver(server, new ConcurrentLinkedQueue<>(script));
        server.createContext("/hook", exchange -> {
            Instant at = Instant.now();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            var h = exchange.getRequestHeaders();
            receiver.calls.add(new Call(
                    at,
                    h.getFirst("webhook-id"),
                    h.getFirst("webhook-timestamp"),
                    h.getFirst("webhook-signature"),
                    body));
            Answer answer = receiver.script.poll();
            if (answer == null) {
                answer = new Answer(204, null, Duration.ZERO);
            }
            if (!answer.delay().isZero()) {
                try {
                    new CountDownLatch(1).await(answer.delay().toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (answer.retryAfter() != null) {
                exchange.getResponseHeaders().add("Retry-After", answer.retryAfter());
            }
            exchange.sendResponseHeaders(answer.status(), -1);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        receivers.add(server);
        return receiver;
    }

    static final class Receiver {
        final HttpServer server;
        final ConcurrentLinkedQueue<Answer> script;
        final java.util.Queue<Call> calls = new ConcurrentLinkedQueue<>();

        Receiver(HttpServer server, ConcurrentLinkedQueue<Answer> script) {
            this.server = server;
            this.script = script;
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }
    }
}
