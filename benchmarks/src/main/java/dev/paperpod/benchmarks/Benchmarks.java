package dev.paperpod.benchmarks;

import com.github.dockerjava.api.DockerClient;
import dev.paperpod.embedded.PodmanService;
import dev.paperpod.launcher.EmbeddedStack;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.http.ExecResponse;
import dev.paperpod.schemas.http.TimingView;
import dev.paperpod.schemas.job.Egress;
import dev.paperpod.worker.WorkerProperties;
import dev.paperpod.worker.sandbox.PodmanSandboxRuntime;
import dev.paperpod.worker.sandbox.Sandbox;
import dev.paperpod.worker.sandbox.SandboxPool;
import dev.paperpod.worker.sandbox.SandboxPools;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./paperpod bench}: starts the embedded default in a scratch home and measures, each beside its baseline:
 *
 * <ul>
 *   <li>the outbox relay, commit → record readable on Kafka, beside a plain Kafka produce → consume;
 *   <li>sync exec of {@code echo hi}, HTTP in → HTTP out, beside {@code podman exec} of the same command and the
 *       agent alone;
 *   <li>a preview URL beside a direct connection to the same server ({@link PreviewLatency});
 *   <li>browser screenshots and PDFs beside Playwright driving the same image directly ({@link BrowserLatency});
 *   <li>files streamed into and out of a sandbox beside {@code podman cp} ({@link FileTransfer}).
 * </ul>
 *
 * Closed loop, one request at a time; prints a Markdown table and writes it to {@code benchmarks/target}. Sync exec
 * is measured twice: right after start, while the JIT still compiles the path (two cores share that work with the
 * requests), and in the steady state, after {@code warmup} more requests.
 * The async throughput is measured after {@code async-warmup} async jobs, for the same reason.
 * Arguments: {@code relay=N exec=N warmup=N podman=N cold=N claim=N async=N async-warmup=N cli=N preview=N files=N
 * browser=N browser-seconds=N browser-batch=N} (sample
 * counts), and {@code
 * --paperpod.some.property=value} or {@code --spring.…=value} to try a setting (e.g. {@code
 * --paperpod.scheduler.outbox.poll-interval=25ms}).
 */
public final class Benchmarks {

    private static final Logger log = LoggerFactory.getLogger(Benchmarks.class);
    private static final String BENCH_TOPIC = "paperpod.jobs.bench";
    private static final String PODMAN = "podman";
    private static final List<String> PODMAN_FLAGS = PodmanService.DEFAULT_FLAGS;

    private Benchmarks() {}

    public static void main(String[] args) throws Exception {
        Map<String, Integer> n = counts(args);
        Path home = Files.createTempDirectory("paperpod-bench-");
        EmbeddedStack stack = new EmbeddedStack(new EmbeddedStack.Settings(
                home,
                0,
                "127.0.0.1",
                "pp_bench_" + UUID.randomUUID(),
                PodmanService.defaultSocket(),
                true,
                settings(args)));
        List<Samples> results = new ArrayList<>();
        try {
            stack.start();
            results.add(kafkaRoundTrip(stack, n.get("relay")));
            results.add(outboxRelay(stack, n.get("relay")));
            // warm sandboxes, a cold JVM: a breakdown only to wait for a ready sandbox each time, as below
            results.add(syncExec(stack, n.get("exec"), new Breakdown(), "sync exec `echo hi`, right after start"));
            syncExec(stack, n.get("warmup"), null, "warm-up");
            Breakdown breakdown = new Breakdown();
            Samples exec = syncExec(
                    stack,
                    n.get("exec"),
                    breakdown,
                    "sync exec `echo hi`, HTTP → HTTP, warm sandbox, after " + n.get("warmup") + " more");
            results.add(exec);
            results.add(syncExec(stack, n.get("exec") / 2, null, "sync exec `echo hi`, back to back (pool refill)"));
            Samples own = syncExec(
                    stack,
                    n.get("exec"),
                    null,
                    "sync exec `echo hi` in the account's own sandbox, back to back",
                    "bench");
            results.add(own);
            List<Samples> cli = CliLatency.measure(stack.baseUrl(), stack.devToken(), n.get("cli"));
            results.addAll(cli);
            PreviewLatency.Result preview = PreviewLatency.measure(stack.baseUrl(), stack.devToken(), n.get("preview"));
            results.add(preview.proxied());
            results.add(preview.direct());
            String files = FileTransfer.measure(stack.baseUrl(), stack.devToken(), n.get("files"), 3);
            BrowserLatency.Result browser =
                    BrowserLatency.measure(stack, n.get("browser"), n.get("browser-seconds"), n.get("browser-batch"));
            results.addAll(browser.samples());
            results.add(agentAlone(stack, n.get("exec")));
            String agentCpu = agentCpu(stack, n.get("exec"));
            Samples podman = podmanExec(n.get("podman"));
            results.add(podman);
            results.add(coldSandbox(stack, n.get("cold")));
            results.add(claim(stack, n.get("claim")));
            // The async path (submissions, dispatcher, relay, projector) warmed up as the sync one was: then measured.
            String warmAsync = asyncThroughput(stack, n.get("async-warmup"), 1);
            log.info("Async warm-up: {}", warmAsync);
            String throughput = asyncThroughput(stack, n.get("async"), 1) + "\n"
                    + asyncThroughput(stack, n.get("async"), n.get("async-batch"));
            report(
                    results,
                    exec,
                    own,
                    cli,
                    podman,
                    breakdown,
                    idleMemory(stack, "VmRSS:"),
                    idleMemory(stack, "RssAnon:"));
            System.out.println(preview.summary());
            System.out.println(browser.summary());
            System.out.println(files);
            System.out.println(agentCpu);
            System.out.println(throughput);
            Files.writeString(
                    Path.of("benchmarks/target/benchmark-results.md"),
                    "\n" + preview.summary() + browser.summary() + files + "\n" + agentCpu + "\n" + throughput + "\n",
                    java.nio.file.StandardOpenOption.APPEND);
        } finally {
            stack.close();
        }
        System.exit(0);
    }

    /** Baseline of the relay: what Kafka alone costs from send to a consumer's poll, in this JVM. */
    private static Samples kafkaRoundTrip(EmbeddedStack stack, int count) throws Exception {
        createTopic(stack, BENCH_TOPIC);
        Samples samples = new Samples("baseline: Kafka produce → consume (acks=all)");
        try (KafkaProducer<String, String> producer = producer(stack);
                Listener listener = new Listener(stack, BENCH_TOPIC)) {
            for (int i = -50; i < count; i++) {
                String key = "kafka-" + i;
                long start = System.nanoTime();
                producer.send(new ProducerRecord<>(BENCH_TOPIC, key, "{}"));
                long arrived = listener.await(key);
                if (i >= 0) {
                    samples.add(arrived - start);
                }
            }
        }
        return samples;
    }

    /** Commit of an outbox row → the relayed record readable by a consumer. */
    private static Samples outboxRelay(EmbeddedStack stack, int count) throws Exception {
        Samples samples = new Samples("outbox relay: commit → record on Kafka");
        try (Connection db = stack.postgres().dataSource().getConnection();
                Listener listener = new Listener(stack, BENCH_TOPIC)) {
            db.setAutoCommit(false);
            PreparedStatement insert = db.prepareStatement(
                    "insert into outbox (id, aggregatetype, aggregateid, type, payload) values (?, 'bench', ?, 'bench', '{}'::jsonb)");
            PreparedStatement delete = db.prepareStatement("delete from outbox where id = ?");
            for (int i = -50; i < count; i++) {
                String key = "outbox-" + i;
                UUID id = UUID.randomUUID();
                insert.setObject(1, id);
                insert.setString(2, key);
                insert.executeUpdate();
                delete.setObject(1, id);
                delete.executeUpdate();
                db.commit();
                long committed = System.nanoTime();
                long arrived = listener.await(key);
                if (i >= 0) {
                    samples.add(arrived - committed);
                }
            }
        }
        return samples;
    }

    /**
     * {@code count} times {@code POST /execute} of {@code echo hi}, after 20 unmeasured ones. With a breakdown
     * (warm), each request waits, unmeasured, for a ready sandbox, so the path measured is the warm one, and the
     * timing of each answer is kept. Without (back to back): no waiting, so the pool's refill rate shows.
     */
    private static Samples syncExec(EmbeddedStack stack, int count, @Nullable Breakdown breakdown, String name)
            throws Exception {
        return syncExec(stack, count, breakdown, name, "ephemeral");
    }

    /**
     * The same in the sandbox {@code sandbox} ({@code X-PaperPod-Sandbox}): {@code ephemeral}, the pool path, waits
     * for a ready pool sandbox with a breakdown; an account's own sandbox is made by the first unmeasured call.
     */
    private static Samples syncExec(
            EmbeddedStack stack, int count, @Nullable Breakdown breakdown, String name, String sandbox)
            throws Exception {
        boolean warm = breakdown != null && sandbox.equals("ephemeral");
        Samples samples = new Samples(name);
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.baseUrl() + "/execute"))
                .header("Authorization", "Bearer " + stack.devToken())
                .header("X-PaperPod-Sandbox", sandbox)
                .POST(HttpRequest.BodyPublishers.ofString("{\"language\":\"shell\",\"code\":\"echo hi\"}"))
                .build();
        SandboxPool pool = stack.workers().get(0).getBean(SandboxPools.class).pool(Egress.NONE);
        for (int i = -20; i < count; i++) {
            if (warm) {
                awaitReady(pool);
            }
            long start = System.nanoTime();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            long took = System.nanoTime() - start;
            if (response.statusCode() != 200 || !response.body().contains("\"stdout\":\"hi\\n\"")) {
                throw new IllegalStateException("unexpected answer: " + response.statusCode() + " " + response.body());
            }
            if (i >= 0) {
                samples.add(took);
                if (breakdown != null) {
                    breakdown.add(Wire.read(response.body(), ExecResponse.class), took);
                }
            }
        }
        return samples;
    }

    /** Where the time of the warm sync exec went, from the timing every answer carries. */
    private static final class Breakdown {
        final Samples queue = new Samples("  submitted → worker took it (api, Kafka)");
        final Samples claim = new Samples("  took it → sandbox claimed (incl. agent ping)");
        final Samples prepare = new Samples("  claimed → process started (event, script, spawn)");
        final Samples run = new Samples("  process started → result assembled");
        final Samples reply = new Samples("  result → HTTP answer (reply, api, client)");

        void add(ExecResponse response, long httpNanos) {
            TimingView t = response.timing();
            if (t == null) {
                return;
            }
            queue.add(t.queueMs() * 1_000_000L);
            claim.add(t.claimMs() * 1_000_000L);
            prepare.add(Duration.between(t.claimedAt(), t.startedAt()).toNanos());
            run.add(t.runMs() * 1_000_000L);
            reply.add(Math.max(
                    0,
                    httpNanos
                            - Duration.between(t.submittedAt(), t.finishedAt()).toNanos()));
        }

        List<Samples> all() {
            return List.of(queue, claim, prepare, run, reply);
        }
    }

    /**
     * Sustained async trivial jobs: {@code count} submitted as fast as 16 concurrent clients can, one job per
     * {@code POST /v1/jobs} ({@code perRequest} 1) or {@code perRequest} per {@code POST /v1/batches}, then counted in
     * PostgreSQL until every one has SUCCEEDED (or two minutes pass). Lost = accepted but not succeeded.
     */
    private static String asyncThroughput(EmbeddedStack stack, int count, int perRequest) throws Exception {
        HttpClient http = HttpClient.newBuilder().build();
        String job = "{\"language\":\"shell\",\"code\":\"echo hi\"}";
        boolean batches = perRequest > 1;
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(stack.baseUrl() + (batches ? "/v1/batches" : "/v1/jobs")))
                .header("Authorization", "Bearer " + stack.devToken())
                .POST(HttpRequest.BodyPublishers.ofString(
                        batches
                                ? "{\"jobs\":[" + String.join(",", java.util.Collections.nCopies(perRequest, job))
                                        + "]}"
                                : job))
                .build();
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(16);
        // job ids, or batch ids when submitted in batches
        List<UUID> ids = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        long[] cpuBefore = machineCpuTicks();
        Map<String, Long> partsBefore = ProcessCpu.ticks();
        long start = System.nanoTime();
        for (int i = 0; i < count; i += perRequest) {
            inFlight.acquire();
            http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, e) -> {
                inFlight.release();
                if (e == null && response.statusCode() == 202) {
                    ids.add(
                            batches
                                    ? Wire.read(response.body(), dev.paperpod.schemas.http.BatchAccepted.class)
                                            .id()
                                    : Wire.read(response.body(), dev.paperpod.schemas.http.JobAccepted.class)
                                            .id());
                    accepted.addAndGet(perRequest);
                } else {
                    refused.addAndGet(perRequest);
                }
            });
        }
        inFlight.acquire(16);
        double acceptSeconds = (System.nanoTime() - start) / 1e9;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        long succeeded = 0;
        double allSeconds;
        // Polled through the index of unfinished jobs, asking only whether one is left (the account's, whose earlier
        // jobs have all ended; counting thousands every 100 ms took 3-6 ms of PostgreSQL each time: the harness must
        // not compete with what it measures); the succeeded ones counted once at the end.
        try (Connection db = stack.postgres().dataSource().getConnection();
                PreparedStatement unfinished = db.prepareStatement("select count(*) from (select 1 from jobs"
                        + " where status in ('QUEUED', 'RUNNING', 'RETRYING')"
                        + " and account_id = (select account_id from " + (batches ? "batches" : "jobs")
                        + " where id = ?) limit 1) as left_over")) {
            unfinished.setObject(1, ids.isEmpty() ? null : ids.get(0));
            while (System.nanoTime() < deadline && count(unfinished) > 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
            allSeconds = (System.nanoTime() - start) / 1e9;
        }
        long[] cpuAfter = machineCpuTicks();
        Map<String, Long> partsAfter = ProcessCpu.ticks();
        try (Connection db = stack.postgres().dataSource().getConnection();
                PreparedStatement done = db.prepareStatement("select count(*) from jobs where "
                        + (batches ? "batch_id" : "id") + " = any(?) and status = 'SUCCEEDED'")) {
            done.setArray(1, db.createArrayOf("uuid", ids.toArray()));
            succeeded = count(done);
        }
        // /proc/stat counts in USER_HZ, 100 per second on Linux
        double busyMs = (cpuAfter[0] - cpuBefore[0]) * 10.0;
        double cores = busyMs
                / 1000
                / ((cpuAfter[1] - cpuBefore[1]) / 100.0 / Runtime.getRuntime().availableProcessors());
        return String.format(
                Locale.ROOT,
                "async trivial jobs, %s: %d submitted, %d accepted (%.0f/s), %d refused, %d succeeded in %.1f s"
                        + " = %.1f jobs/s sustained, %d lost; machine CPU %.2f ms per job (%.2f cores busy): %s",
                batches ? "in batches of " + perRequest : "one per request",
                count,
                accepted.get(),
                accepted.get() / acceptSeconds,
                refused.get(),
                succeeded,
                allSeconds,
                succeeded / allSeconds,
                accepted.get() - succeeded,
                succeeded == 0 ? 0 : busyMs / succeeded,
                cores,
                ProcessCpu.perJob(partsBefore, partsAfter, succeeded));
    }

    /**
     * The whole machine's busy and total CPU ticks so far, from the first line of {@code /proc/stat} (busy: all but
     * idle and iowait): what every process of the path costs per job, PaperPod's and the sandboxes'.
     */
    private static long[] machineCpuTicks() throws IOException {
        String[] fields =
                Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < fields.length && i <= 8; i++) {
            total += Long.parseLong(fields[i]);
        }
        long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
        return new long[] {total - idle, total};
    }

    private static long count(PreparedStatement query) throws java.sql.SQLException {
        try (var rs = query.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The floor of our exec: the worker's agent client to the agent in a warm sandbox, no Kafka, no HTTP. */
    private static Samples agentAlone(EmbeddedStack stack, int count) throws IOException {
        Samples samples = new Samples("agent alone: `sh -c 'echo hi'` over its socket");
        SandboxPool pool = stack.workers().get(0).getBean(SandboxPools.class).pool(Egress.NONE);
        UUID account = UUID.randomUUID();
        var sandbox = pool.claim(account, Duration.ofSeconds(60));
        try {
            var command = dev.paperpod.agent.client.ExecCommand.shell("echo hi", 10_000);
            for (int i = -50; i < count; i++) {
                long start = System.nanoTime();
                sandbox.agent().exec(command, (e, d, o, l) -> {}, Duration.ofSeconds(10));
                if (i >= 0) {
                    samples.add(System.nanoTime() - start);
                }
            }
        } finally {
            pool.release(sandbox, account, false);
        }
        return samples;
    }

    /**
     * CPU a sandbox spends per run, read from its container's cgroup (agent and job together): {@code echo hi}
     * alone, then followed by the reset the pool does before reusing a sandbox. What the async throughput pays per
     * job inside the sandbox.
     */
    private static String agentCpu(EmbeddedStack stack, int count) {
        SandboxPool pool = stack.workers().get(0).getBean(SandboxPools.class).pool(Egress.NONE);
        UUID account = UUID.randomUUID();
        Sandbox sandbox = pool.claim(account, Duration.ofSeconds(60));
        try {
            Path usage =
                    Path.of("/sys/fs/cgroup/cpuacct/libpod_parent", "libpod-" + sandbox.containerId(), "cpuacct.usage");
            if (!Files.isReadable(usage)) {
                return "sandbox CPU per run: not measured (no cgroup v1 cpuacct at " + usage + ")";
            }
            var command = dev.paperpod.agent.client.ExecCommand.shell("echo hi", 10_000);
            long before = cpuNanos(usage);
            for (int i = 0; i < count; i++) {
                sandbox.agent().exec(command, (e, d, o, l) -> {}, Duration.ofSeconds(10));
            }
            long execs = cpuNanos(usage);
            // what a background job `{"language":"shell","code":"echo hi"}` asks of the agent (ExecRunner)
            var job = new dev.paperpod.agent.client.ExecCommand(
                    List.of("bash"),
                    Map.of(),
                    null,
                    null,
                    "echo hi".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "main.sh",
                    10_000,
                    Long.MAX_VALUE);
            for (int i = 0; i < count; i++) {
                sandbox.agent().exec(job, (e, d, o, l) -> {}, Duration.ofSeconds(10));
            }
            long jobs = cpuNanos(usage);
            for (int i = 0; i < count; i++) {
                sandbox.agent().exec(job, (e, d, o, l) -> {}, Duration.ofSeconds(10));
                sandbox.agent().reset(Duration.ofSeconds(10));
            }
            long resets = cpuNanos(usage);
            return String.format(
                    Locale.ROOT,
                    "sandbox CPU per run (container cgroup, agent and job): `sh -c 'echo hi'` %.2f ms;"
                            + " a shell job's `bash main.sh` %.2f ms, + reset %.2f ms",
                    (execs - before) / 1e6 / count,
                    (jobs - execs) / 1e6 / count,
                    (resets - jobs) / 1e6 / count);
        } catch (IOException e) {
            return "sandbox CPU per run: not measured (" + e + ")";
        } finally {
            pool.release(sandbox, account, false);
        }
    }

    private static long cpuNanos(Path cpuacctUsage) throws IOException {
        return Long.parseLong(Files.readString(cpuacctUsage).trim());
    }

    /** A new sandbox: container created and started, agent answering (what the pool does ahead of demand). */
    private static Samples coldSandbox(EmbeddedStack stack, int count) throws IOException {
        Samples samples = new Samples("cold sandbox: create → agent answers");
        var worker = stack.workers().get(0);
        WorkerProperties.Sandbox settings =
                worker.getBean(WorkerProperties.class).sandbox();
        PodmanSandboxRuntime runtime = new PodmanSandboxRuntime(
                worker.getBean(DockerClient.class), settings, "none", "bench", java.time.Clock.systemUTC());
        for (int i = -2; i < count; i++) {
            long start = System.nanoTime();
            Sandbox sandbox = runtime.create();
            try {
                while (true) {
                    try {
                        sandbox.agent().ping(Duration.ofSeconds(1));
                        break;
                    } catch (IOException notYet) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                    }
                }
                if (i >= 0) {
                    samples.add(System.nanoTime() - start);
                }
            } finally {
                runtime.destroy(sandbox);
            }
        }
        return samples;
    }

    /** Taking a ready sandbox from the warm pool (includes its agent ping). */
    private static Samples claim(EmbeddedStack stack, int count) {
        Samples samples = new Samples("claim a warm sandbox (incl. agent ping)");
        SandboxPool pool = stack.workers().get(0).getBean(SandboxPools.class).pool(Egress.NONE);
        UUID account = UUID.randomUUID();
        for (int i = -5; i < count; i++) {
            awaitReady(pool);
            long start = System.nanoTime();
            Sandbox sandbox = pool.claim(account, Duration.ofSeconds(30));
            long took = System.nanoTime() - start;
            pool.release(sandbox, account, true);
            if (i >= 0) {
                samples.add(took);
            }
        }
        return samples;
    }

    /**
     * Resident memory of an idle warm sandbox: every process of its container (init and the agent's JVM), read
     * from the host's /proc. Reported in the "ms" columns as MB.
     */
    private static Samples idleMemory(EmbeddedStack stack, String field) {
        Samples samples = new Samples(
                field.equals("VmRSS:") ? "idle sandbox RSS, MB (not ms)" : "  of which private (RssAnon), MB");
        DockerClient docker = stack.workers().get(0).getBean(DockerClient.class);
        for (var container : docker.listContainersCmd()
                .withLabelFilter(Map.of("dev.paperpod.managed", "true"))
                .exec()) {
            String id =
                    container.getLabels() == null ? "" : container.getLabels().getOrDefault("dev.paperpod.sandbox", "");
            if (!id.startsWith("sbx-")) {
                continue; // a browser's container (its memory is BrowserLatency's)
            }
            Long pid = docker.inspectContainerCmd(container.getId())
                    .exec()
                    .getState()
                    .getPidLong();
            if (pid == null || pid <= 0) {
                continue;
            }
            long kb = ProcessHandle.of(pid).stream()
                    .flatMap(p -> java.util.stream.Stream.concat(java.util.stream.Stream.of(p), p.descendants()))
                    .mapToLong(p -> memoryKb(p, field))
                    .sum();
            samples.add(kb * 1_000_000L / 1024); // MB, in the unit Samples prints as "ms"
        }
        return samples;
    }

    private static long memoryKb(ProcessHandle p, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone
        }
        return 0;
    }

    /** Baseline: the same command through {@code podman exec} into a running container of the same image. */
    private static Samples podmanExec(int count) throws Exception {
        Samples samples = new Samples("baseline: `podman exec … sh -c 'echo hi'`");
        String name = "paperpod-bench-" + UUID.randomUUID().toString().substring(0, 8);
        run(podman(
                "run",
                "-d",
                "--rm",
                "--name",
                name,
                "--ulimit",
                "nofile=4096:4096",
                "--ulimit",
                "nproc=16384:16384",
                "localhost/paperpod/test",
                "sleep",
                "3600"));
        try {
            for (int i = -3; i < count; i++) {
                long start = System.nanoTime();
                String out = run(podman("exec", name, "sh", "-c", "echo hi"));
                long took = System.nanoTime() - start;
                if (!out.equals("hi\n")) {
                    throw new IllegalStateException("podman exec answered: " + out);
                }
                if (i >= 0) {
                    samples.add(took);
                }
            }
        } finally {
            run(podman("rm", "-f", "-t", "0", name));
        }
        return samples;
    }

    private static void report(
            List<Samples> results,
            Samples exec,
            Samples own,
            List<Samples> cli,
            Samples podman,
            Breakdown breakdown,
            Samples... memory)
            throws IOException {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "PaperPod benchmarks, %s, %d cores, Java %s%n%n",
                java.time.LocalDate.now(),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version")));
        out.append(Samples.header()).append('\n');
        results.forEach(s -> out.append(s.row()).append('\n'));
        for (Samples m : memory) {
            if (m.count() > 0) {
                out.append(m.row()).append('\n');
            }
        }
        out.append("\nWhere the warm sync exec's time went (from the timing in each answer):\n\n");
        out.append(Samples.header()).append('\n');
        breakdown.all().forEach(s -> out.append(s.row()).append('\n'));
        out.append(String.format(
                Locale.ROOT, "%nratio sync exec (warm) / podman exec, p50: %.3f%n", exec.p50() / podman.p50()));
        out.append(String.format(
                Locale.ROOT,
                "ratio sync exec in the account's sandbox / podman exec, p50: %.3f; / the pool path (warm), p50: %.2f,"
                        + " p99: %.2f%n",
                own.p50() / podman.p50(),
                own.p50() / exec.p50(),
                own.p99() / exec.p99()));
        if (cli.size() == 2) {
            out.append(String.format(
                    Locale.ROOT,
                    "ratio ppod exec / curl, p50: %.2f, p99: %.2f%n",
                    cli.get(0).p50() / cli.get(1).p50(),
                    cli.get(0).p99() / cli.get(1).p99()));
        }
        Samples relay = results.stream()
                .filter(s -> s.name().startsWith("outbox"))
                .findFirst()
                .orElseThrow();
        Samples kafka = results.get(0);
        out.append(String.format(
                Locale.ROOT,
                "ratio outbox relay / Kafka alone, p50: %.2f, p99: %.2f%n",
                relay.p50() / kafka.p50(),
                relay.p99() / kafka.p99()));
        System.out.println();
        System.out.println(out);
        Path file = Path.of("benchmarks/target/benchmark-results.md");
        Files.createDirectories(file.getParent());
        Files.writeString(file, out.toString());
        List<Samples> latencies = results.stream()
                .filter(s -> !s.name().startsWith("cold")
                        && !s.name().contains("podman")
                        && !s.name().contains("curl")
                        && !s.name().contains("ppod"))
                .toList();
        Path plot = file.resolveSibling("benchmarks.svg");
        Files.writeString(plot, Plot.svg("PaperPod latencies, " + java.time.LocalDate.now() + " (2 cores)", latencies));
        log.info("Results written to {} and {}", file.toAbsolutePath(), plot.toAbsolutePath());
    }

    private static void awaitReady(SandboxPool pool) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (pool.readyCount() == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no warm sandbox within 60 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** The podman command line, with the flags PaperPod's own Podman service runs with. */
    static List<String> podman(String... args) {
        List<String> command = new ArrayList<>();
        command.add(PODMAN);
        command.addAll(PODMAN_FLAGS);
        command.addAll(List.of(args));
        return command;
    }

    static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    private static void createTopic(EmbeddedStack stack, String topic) throws Exception {
        try (Admin admin =
                Admin.create(Map.of("bootstrap.servers", stack.kafka().bootstrapServers()))) {
            if (!admin.listTopics().names().get().contains(topic)) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                        .all()
                        .get();
            }
        }
    }

    private static KafkaProducer<String, String> producer(EmbeddedStack stack) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.kafka().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.LINGER_MS_CONFIG,
                0);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    private static Map<String, String> settings(String[] args) {
        Map<String, String> settings = new java.util.LinkedHashMap<>(Map.of(
                "paperpod.worker.sandbox.image", "localhost/paperpod/test",
                "paperpod.worker.sandbox.min-idle", "3",
                "paperpod.worker.sandbox.max", "6",
                // as by default (4 / 4): one account may keep every sandbox of the pool for its next jobs
                "paperpod.worker.sandbox.reuse-per-account", "6",
                // as by default (16 = 4 sandboxes × prefetch 4): one account may fill every slot of the pool
                "paperpod.scheduler.dispatch.account-concurrency", "24"));
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            if (kv.length == 2 && (kv[0].startsWith("--paperpod.") || kv[0].startsWith("--spring."))) {
                settings.put(kv[0].substring(2), kv[1]);
            }
        }
        return settings;
    }

    private static Map<String, Integer> counts(String[] args) {
        Map<String, Integer> n = new ConcurrentHashMap<>(Map.of(
                "relay",
                1000,
                "exec",
                300,
                "warmup",
                2000,
                "podman",
                40,
                "cold",
                20,
                "claim",
                100,
                "async",
                3000,
                "async-warmup",
                1000,
                "async-batch",
                100,
                "cli",
                30));
        n.put("preview", 300);
        n.put("files", 9);
        n.put("browser", 100);
        n.put("browser-seconds", 20);
        n.put("browser-batch", 1000);
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            if (kv.length == 2 && n.containsKey(kv[0])) {
                n.put(kv[0], Integer.parseInt(kv[1]));
            }
        }
        return n;
    }

    /** A consumer on its own thread, noting when each key arrives. */
    private static final class Listener implements AutoCloseable {
        private final Map<String, CompletableFuture<Long>> arrivals = new ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean running = true;

        Listener(EmbeddedStack stack, String topic) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
            KafkaConsumer<String, String> consumer =
                    new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
            consumer.subscribe(List.of(topic));
            while (consumer.assignment().isEmpty()) {
                consumer.poll(Duration.ofMillis(100));
            }
            thread = new Thread(
                    () -> {
                        try (consumer) {
                            while (running) {
                                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                                    long now = System.nanoTime();
                                    arrivals.computeIfAbsent(r.key(), k -> new CompletableFuture<>())
                                            .complete(now);
                                }
                            }
                        }
                    },
                    "bench-listener");
            thread.start();
        }

        /** When the key arrived (it may have arrived before this call). */
        long await(String key) throws Exception {
            try {
                return arrivals.computeIfAbsent(key, k -> new CompletableFuture<>())
                        .get(30, TimeUnit.SECONDS);
            } finally {
                arrivals.remove(key);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
        }
    }
}
