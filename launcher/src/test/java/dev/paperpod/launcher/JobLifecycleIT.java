package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import dev.paperpod.launcher.support.Api;
import dev.paperpod.launcher.support.SharedStack;
import dev.paperpod.schemas.Topics;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.job.Egress;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.worker.jobs.JobConsumer;
import dev.paperpod.worker.jobs.JobConsumers;
import dev.paperpod.worker.sandbox.SandboxPools;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * The lifecycle of background jobs end to end: cancel (queued and running), a retry after the sandbox died under a
 * job, and poison records on the job queue dead-lettered while the queue keeps flowing.
 */
@ExtendWith(SharedStack.class)
class JobLifecycleIT {

    private static final String WORKER_GROUP = JobConsumers.group(JobKind.EXEC);

    private final Api api;
    private final EmbeddedStack stack;

    JobLifecycleIT(Api api, EmbeddedStack stack) {
        this.api = api;
        this.stack = stack;
    }

    @Test
    void cancelingARunningJobKillsItsProgramAndEndsItCanceled() {
        String id = api.post(
                        "/v1/jobs",
                        Map.of(
                                "language",
                                "shell",
                                "code",
                                "echo started; sleep 120; echo never",
                                "timeoutMs",
                                180_000))
                .text("id");
        awaitStatus(id, "RUNNING");

        Api.Response cancel = api.post("/v1/jobs/" + id + "/cancel", "");

        assertThat(cancel.status()).as(cancel.toString()).isEqualTo(202);
        assertThat(cancel.json().path("cancelRequestedAt").isMissingNode()).isFalse();
        JsonNode job = api.get("/v1/jobs/" + id + "?wait=60").json();
        assertThat(job.path("status").asString()).as(job.toString()).isEqualTo("CANCELED");
        assertThat(job.path("error").path("code").asString()).isEqualTo("CANCELED");
        assertThat(job.path("attempts").asInt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> stack.workers()
                                .get(0)
                                .getBean(SandboxPools.class)
                                .pool(Egress.NONE)
                                .busyCount()
                        == 0);
        // Canceling twice is a conflict that names the outcome.
        Api.Response again = api.post("/v1/jobs/" + id + "/cancel", "");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().path("error").path("code").asString()).isEqualTo("JOB_ENDED");
    }

    @Test
    void aJobCanceledWhileQueuedNeverRuns() throws Exception {
        JobConsumer jobs = stack.workers().get(0).getBean(JobConsumers.class).of(JobKind.EXEC);
        String id;
        jobs.pause();
        // Paused for real: a poll already under way when pause was asked still hands out what it fetched.
        await().atMost(Duration.ofSeconds(30)).until(jobs::isPaused);
        try {
            id = api.post("/v1/jobs", Map.of("language", "shell", "code", "echo should-not-run"))
                    .text("id");
            await().atMost(Duration.ofSeconds(30)).until(() -> lagOfWorkers() > 0);

            Api.Response cancel = api.post("/v1/jobs/" + id + "/cancel", "");

            assertThat(cancel.status()).as(cancel.toString()).isEqualTo(200);
            assertThat(cancel.json().path("status").asString()).isEqualTo("CANCELED");
            // The worker heard of it (paperpod.job.control) before the record reaches it.
            String canceled = id;
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> stack.workers()
                            .get(0)
                            .getBean(dev.paperpod.worker.jobs.JobCancels.class)
                            .isCanceled(UUID.fromString(canceled)));
        } finally {
            jobs.resume();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> lagOfWorkers() == 0);
        assertThat(attemptsStarted(id))
                .as("the worker dropped the canceled job")
                .isZero();
        assertThat(api.get("/v1/jobs/" + id).text("status")).isEqualTo("CANCELED");
    }

    @Test
    void cancelingAnUnknownJobIsNotFound() {
        Api.Response response = api.post("/v1/jobs/" + UUID.randomUUID() + "/cancel", "");
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().path("error").path("hint").asString()).isNotBlank();
    }

    @Test
    void aJobWhoseSandboxDiedUnderItRunsAgainAndSucceeds() throws Exception {
        String id = api.post(
                        "/v1/jobs",
                        Map.of(
                                "language",
                                "shell",
                                "code",
                                "sleep 4; echo done",
                                "timeoutMs",
                                60_000,
                                "maxAttempts",
                                2))
                .text("id");
        awaitStatus(id, "RUNNING");
        String sandbox = await().atMost(Duration.ofSeconds(30)).until(() -> sandboxOf(id, 1), s -> s != null);

        stack.workers()
                .get(0)
                .getBean(DockerClient.class)
                .removeContainerCmd("paperpod-" + sandbox)
                .withForce(true)
                .exec();

        JsonNode job = await().atMost(Duration.ofSeconds(90))
                .until(
                        () -> api.get("/v1/jobs/" + id + "?wait=30").json(),
                        j -> j.path("status").asString().equals("SUCCEEDED"));
        assertThat(job.path("attempts").asInt()).as(job.toString()).isEqualTo(2);
        assertThat(job.path("result").path("stdout").asString()).isEqualTo("done\n");
        assertThat(sandboxOf(id, 2)).isNotEqualTo(sandbox);
    }

    @Test
    void malformedJobRecordsAreDeadLetteredAndEveryPartitionKeepsFlowing() throws Exception {
        String marker = "poison-" + UUID.randomUUID();
        String topic = Topics.jobs(JobKind.EXEC);
        int partitions;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            partitions = producer.partitionsFor(topic).size();
            for (int p = 0; p < partitions; p++) {
                producer.send(new ProducerRecord<>(topic, p, marker, "{not a job".getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
        }
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(api.post("/v1/jobs", Map.of("language", "shell", "code", "echo " + i))
                    .text("id"));
        }
        for (String id : ids) {
            assertThat(api.get("/v1/jobs/" + id + "?wait=60").text("status")).isEqualTo("SUCCEEDED");
        }

        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "dlt-reader-" + marker);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> dlt =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            dlt.subscribe(List.of(Topics.deadLetters(topic)));
            Set<Integer> fromPartitions = new HashSet<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : dlt.poll(Duration.ofMillis(200))) {
                    if (marker.equals(r.key())) {
                        fromPartitions.add(java.nio.ByteBuffer.wrap(r.headers()
                                        .lastHeader("kafka_dlt-original-partition")
                                        .value())
                                .getInt());
                    }
                }
                return fromPartitions.size() == partitions;
            });
        }
        assertThat(api.get("/health").text("status")).isEqualTo("UP");
    }

    @Test
    void malformedHeartbeatsAndControlRecordsAreDeadLetteredAndHealthStaysTruthful() throws Exception {
        String marker = "poison-" + UUID.randomUUID();
        List<String> topics = List.of(Topics.WORKERS, Topics.JOB_CONTROL, Topics.JOB_EVENTS);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            for (String topic : topics) {
                producer.send(new ProducerRecord<>(topic, marker, "[1,2".getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
        }
        // What follows on the same topics still gets through: a job runs (events, control), heartbeats go on.
        String id = api.post("/v1/jobs", Map.of("language", "shell", "code", "sleep 30", "timeoutMs", 60_000))
                .text("id");
        awaitStatus(id, "RUNNING");
        assertThat(api.post("/v1/jobs/" + id + "/cancel", "").status()).isEqualTo(202);
        assertThat(api.get("/v1/jobs/" + id + "?wait=30").text("status")).isEqualTo("CANCELED");

        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "dlt-reader-" + marker);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> dlt =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            dlt.subscribe(topics.stream().map(Topics::deadLetters).toList());
            Set<String> from = new HashSet<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : dlt.poll(Duration.ofMillis(200))) {
                    if (marker.equals(r.key())) {
                        from.add(r.topic());
                    }
                }
                return from.size() == topics.size();
            });
        }
        assertThat(api.get("/health").text("status")).isEqualTo("UP");
    }

    @Test
    void twentyConcurrentPostsWithOneIdempotencyKeyMakeOneJob() throws Exception {
        String code = "echo once-" + UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        List<java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>>> posts =
                new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            posts.add(http.sendAsync(
                    submit(key, "{\"language\":\"shell\",\"code\":\"" + code + "\"}"),
                    java.net.http.HttpResponse.BodyHandlers.ofString()));
        }
        Set<String> ids = new HashSet<>();
        int replayed = 0;
        for (var post : posts) {
            var response = post.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            ids.add(dev.paperpod.schemas.Wire.read(response.body(), dev.paperpod.schemas.http.JobAccepted.class)
                    .id()
                    .toString());
            replayed += response.headers().firstValue("Idempotent-Replayed").isPresent() ? 1 : 0;
        }

        assertThat(ids).hasSize(1);
        assertThat(replayed).isEqualTo(19);
        assertThat(count("select count(*) from jobs where spec->>'code' = ?", code))
                .isEqualTo(1);
        // The same key later, with the body's fields in another order and other whitespace: still the same job.
        var later = http.send(
                submit(key, "{ \"code\": \"" + code + "\", \"language\": \"shell\" }"),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(later.body()).contains(ids.iterator().next());
    }

    @Test
    void anIdempotencyKeyReusedForAnotherRequestIsRefusedNamingTheConflict() throws Exception {
        String key = UUID.randomUUID().toString();
        var first = http.send(
                submit(key, "{\"language\":\"shell\",\"code\":\"echo a\"}"),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(first.statusCode()).isEqualTo(202);

        var other = http.send(
                submit(key, "{\"language\":\"shell\",\"code\":\"echo b\"}"),
                java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(other.statusCode()).isEqualTo(422);
        JsonNode error =
                dev.paperpod.schemas.Wire.mapper().readTree(other.body()).path("error");
        assertThat(error.path("code").asString()).isEqualTo("IDEMPOTENCY_KEY_REUSED");
        assertThat(error.path("field").asString()).isEqualTo("Idempotency-Key");
        assertThat(error.path("hint").asString()).isNotBlank();

        var tooLong = http.send(
                submit("k".repeat(256), "{\"language\":\"shell\",\"code\":\"echo c\"}"),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(tooLong.statusCode()).isEqualTo(400);
    }

    private final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

    private java.net.http.HttpRequest submit(String key, String body) {
        return java.net.http.HttpRequest.newBuilder(java.net.URI.create(stack.baseUrl() + "/v1/jobs"))
                .header("Authorization", "Bearer " + stack.devToken())
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private long count(String sql, String param) throws Exception {
        try (Connection c = stack.postgres().dataSource().getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, param);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void anAccountAtItsConcurrencyWaitsInLineAndPastItsQueueLimitGets429() throws Exception {
        String token = "pp_limited_" + UUID.randomUUID();
        UUID account = stack.api()
                .getBean(dev.paperpod.api.auth.AccountTokens.class)
                .register("limited-" + token, "test", token)
                .accountId();
        try (Connection c = stack.postgres().dataSource().getConnection();
                PreparedStatement s =
                        c.prepareStatement("update accounts set max_concurrency = 1, max_queued = 2 where id = ?")) {
            s.setObject(1, account);
            s.executeUpdate();
        }
        Api limited = api.withToken(token);
        String running = limited.post(
                        "/v1/jobs", Map.of("language", "shell", "code", "sleep 120", "timeoutMs", 180_000))
                .text("id");
        awaitStatus(limited, running, "RUNNING");
        String next = limited.post("/v1/jobs", Map.of("language", "shell", "code", "echo next", "priority", "high"))
                .text("id");
        String last = limited.post("/v1/jobs", Map.of("language", "shell", "code", "echo last"))
                .text("id");

        JsonNode nextView = limited.get("/v1/jobs/" + next).json();
        assertThat(nextView.path("status").asString()).as(nextView.toString()).isEqualTo("QUEUED");
        assertThat(nextView.path("priority").asString()).isEqualTo("high");
        assertThat(nextView.path("queuePosition").asLong()).isZero();
        assertThat(limited.get("/v1/jobs/" + last).json().path("queuePosition").asLong())
                .isEqualTo(1);

        Api.Response refused = limited.post("/v1/jobs", Map.of("language", "shell", "code", "echo one too many"));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
        assertThat(refused.json().path("error").path("code").asString()).isEqualTo("QUEUE_FULL");
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 60L);

        // Once the running job is out of the way, the others run, the high-priority one first.
        assertThat(limited.post("/v1/jobs/" + running + "/cancel", "").status()).isEqualTo(202);
        JsonNode lastDone = limited.get("/v1/jobs/" + last + "?wait=60").json();
        JsonNode nextDone = limited.get("/v1/jobs/" + next + "?wait=60").json();
        assertThat(nextDone.path("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(lastDone.path("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(java.time.Instant.parse(nextDone.path("startedAt").asString()))
                .isBefore(java.time.Instant.parse(lastDone.path("startedAt").asString()));
    }

    @Test
    void aLongJobDoesNotHoldUpTheQuickJobsSubmittedAfterIt() {
        String slow = api.post("/v1/jobs", Map.of("language", "shell", "code", "sleep 90", "timeoutMs", 120_000))
                .text("id");
        awaitStatus(slow, "RUNNING");

        List<String> quick = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            quick.add(api.post("/v1/jobs", Map.of("language", "shell", "code", "echo quick-" + i))
                    .text("id"));
        }
        for (String id : quick) {
            JsonNode job = api.get("/v1/jobs/" + id + "?wait=30").json();
            assertThat(job.path("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        }

        assertThat(api.get("/v1/jobs/" + slow).text("status")).isEqualTo("RUNNING");
        api.post("/v1/jobs/" + slow + "/cancel", "");
    }

    @Test
    void aJobsEventsStreamAsItRunsAndResumeAfterTheLastEventId() throws Exception {
        String id = api.post(
                        "/v1/jobs",
                        Map.of("language", "shell", "code", "for i in 1 2 3; do echo line-$i; sleep 0.4; done"))
                .text("id");

        List<String[]> events = sse(id, null);

        List<String> names = events.stream().map(e -> e[1]).toList();
        assertThat(names.get(0)).isEqualTo("queued");
        assertThat(names).contains("started").endsWith("finished");
        List<String[]> output =
                events.stream().filter(e -> e[1].equals("output")).toList();
        assertThat(output.size())
                .as("streamed in chunks as written, not at the end")
                .isGreaterThanOrEqualTo(2);
        StringBuilder text = new StringBuilder();
        for (String[] chunk : output) {
            text.append(Wire.mapper().readTree(chunk[2]).path("data").asString());
        }
        assertThat(text.toString()).isEqualTo("line-1\nline-2\nline-3\n");
        assertThat(Wire.mapper()
                        .readTree(events.get(events.size() - 1)[2])
                        .path("status")
                        .asString())
                .isEqualTo("SUCCEEDED");

        List<String[]> resumed = sse(id, output.get(0)[0]);
        assertThat(resumed.stream().map(e -> e[0]).toList())
                .as("exactly what came after the first output chunk")
                .isEqualTo(events.subList(events.indexOf(output.get(0)) + 1, events.size()).stream()
                        .map(e -> e[0])
                        .toList());
    }

    @Test
    void executeStreamSendsOutputAsItComesThenTheAnswer() throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(stack.baseUrl() + "/execute/stream"))
                .header("Authorization", "Bearer " + stack.devToken())
                .timeout(Duration.ofSeconds(60))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(Wire.writeString(
                        Map.of("language", "shell", "code", "for i in 1 2 3; do echo line-$i; sleep 0.4; done"))));

        List<String[]> events = readEvents(request);

        assertThat(events.get(events.size() - 1)[1]).isEqualTo("finished");
        JsonNode answer = Wire.mapper().readTree(events.get(events.size() - 1)[2]);
        assertThat(answer.path("stdout").asString()).isEqualTo("line-1\nline-2\nline-3\n");
        assertThat(events.stream().filter(e -> e[1].equals("output")).count())
                .as("chunks before the answer")
                .isPositive();
    }

    /** Reads a job's event stream to its end: each event as {id, name, data}. */
    private List<String[]> sse(String jobId, String lastEventId) throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(stack.baseUrl() + "/v1/jobs/" + jobId + "/events"))
                .header("Authorization", "Bearer " + stack.devToken())
                .header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(60));
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return readEvents(request.GET());
    }

    private List<String[]> readEvents(java.net.http.HttpRequest.Builder request) throws Exception {
        var response = http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        List<String[]> events = new java.util.ArrayList<>();
        String[] current = new String[3];
        for (String line : (Iterable<String>) response.body()::iterator) {
            if (line.isEmpty()) {
                if (current[1] != null) {
                    events.add(current);
                }
                current = new String[3];
            } else if (line.startsWith("id:")) {
                current[0] = line.substring(3).trim();
            } else if (line.startsWith("event:")) {
                current[1] = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                current[2] = line.substring(5).trim();
            }
        }
        return events;
    }

    @Test
    void aDelayedJobWaitsForItsRunAt() {
        java.time.Instant runAt =
                java.time.Instant.now().plusSeconds(3).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        String id = api.post("/v1/jobs", Map.of("language", "shell", "code", "echo later", "runAt", runAt.toString()))
                .text("id");

        JsonNode waiting = api.get("/v1/jobs/" + id).json();
        assertThat(waiting.path("status").asString()).isEqualTo("QUEUED");
        assertThat(waiting.path("estimatedStartAt").asString()).isEqualTo(runAt.toString());
        assertThat(waiting.has("queuePosition")).isFalse();

        JsonNode done = await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> api.get("/v1/jobs/" + id + "?wait=30").json(),
                        j -> j.path("status").asString().equals("SUCCEEDED"));
        assertThat(java.time.Instant.parse(done.path("startedAt").asString())).isAfterOrEqualTo(runAt);
    }

    private void awaitStatus(Api client, String id, String status) {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> client.get("/v1/jobs/" + id).text("status"), status::equals);
    }

    private void awaitStatus(String id, String status) {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> api.get("/v1/jobs/" + id).text("status"), status::equals);
    }

    private String sandboxOf(String jobId, int attempt) throws Exception {
        try (Connection c = stack.postgres().dataSource().getConnection();
                PreparedStatement s = c.prepareStatement(
                        "select sandbox_id from job_attempts where job_id = ?::uuid and attempt = ?")) {
            s.setString(1, jobId);
            s.setInt(2, attempt);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private long attemptsStarted(String jobId) throws Exception {
        try (Connection c = stack.postgres().dataSource().getConnection();
                PreparedStatement s = c.prepareStatement("select count(*) from job_attempts where job_id = ?::uuid")) {
            s.setString(1, jobId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Job records on the queue the workers have not acknowledged yet. */
    private long lagOfWorkers() throws Exception {
        try (Admin admin = Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()))) {
            String topic = Topics.jobs(JobKind.EXEC);
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(WORKER_GROUP)
                    .partitionsToOffsetAndMetadata()
                    .get();
            int partitions = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get()
                    .get(topic)
                    .partitions()
                    .size();
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            long lag = 0;
            for (var end : admin.listOffsets(latest).all().get().entrySet()) {
                OffsetAndMetadata done = committed.get(end.getKey());
                lag += end.getValue().offset() - (done == null ? 0 : done.offset());
            }
            return lag;
        }
    }
}
