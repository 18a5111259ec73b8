package dev.paperpod.launcher;

import dev.paperpod.api.ApiApplication;
import dev.paperpod.embedded.KafkaServer;
import dev.paperpod.embedded.PodmanService;
import dev.paperpod.embedded.PostgresServer;
import dev.paperpod.scheduler.SchedulerApplication;
import dev.paperpod.worker.WorkerApplication;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * PaperPod on one machine: Podman's API service, PostgreSQL and a single-node Kafka as child processes, then the
 * scheduler, a worker and the api as Spring contexts in this JVM, each configured exactly as it would be against
 * external infrastructure (the standard Spring properties, given on its command line).
 */
public final class EmbeddedStack implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedStack.class);

    private final Settings settings;
    private @Nullable PodmanService podman;
    private @Nullable PostgresServer postgres;
    private @Nullable KafkaServer kafka;
    private @Nullable ConfigurableApplicationContext scheduler;
    private @Nullable ConfigurableApplicationContext api;
    private final List<ConfigurableApplicationContext> workers = new ArrayList<>();
    private int workerCount;

    /**
     * @param home data of PostgreSQL, Kafka, the relay's offsets, jobs' artifacts and the sandboxes' sockets; kept across
     *     restarts
     * @param port HTTP port of the api, 0 for any free one
     * @param bindAddress the address the api listens on; loopback by default, where no sandbox can reach it
     * @param devToken registered for the {@code dev} account
     * @param podmanSocket where Podman's Docker-compatible API listens (started if nothing answers there)
     * @param startWorker whether {@link #start()} starts a worker
     * @param overrides extra properties for every context, e.g. {@code paperpod.worker.sandbox.min-idle}
     */
    public record Settings(
            Path home,
            int port,
            String bindAddress,
            String devToken,
            Path podmanSocket,
            boolean startWorker,
            Map<String, String> overrides) {

        public Settings {
            overrides = Map.copyOf(overrides);
        }
    }

    public EmbeddedStack(Settings settings) {
        this.settings = settings;
    }

    /** Starts everything, infrastructure first; returns once the api answers. */
    public EmbeddedStack start() {
        long started = System.nanoTime();
        // checked every 30 s: a hung service is restarted rather than left to time out every sandbox creation
        podman = PodmanService.ensureRunning(
                        settings.podmanSocket(),
                        PodmanService.DEFAULT_FLAGS,
                        settings.home().resolve("logs/podman.log"))
                .watch(Duration.ofSeconds(30));
        postgres = PostgresServer.start(settings.home().resolve("postgres"), 0, "paperpod");
        kafka = KafkaServer.start(settings.home().resolve("kafka"), 0);
        scheduler = run(
                SchedulerApplication.builder(),
                Map.of(
                        "paperpod.scheduler.outbox.offset-dir",
                        settings.home().resolve("scheduler").toString()));
        api = run(
                ApiApplication.builder(),
                Map.of(
                        "server.port",
                        Integer.toString(settings.port()),
                        "server.address",
                        settings.bindAddress(),
                        "paperpod.api.dev-token",
                        settings.devToken(),
                        "paperpod.api.instance-id",
                        "embedded"));
        if (settings.startWorker()) {
            startWorker(); // after the api, whose preview proxy its browsers reach
        }
        log.info("PaperPod started in {} ms", (System.nanoTime() - started) / 1_000_000);
        return this;
    }

    /** Starts one more worker (tests start and stop workers to see jobs wait for them). */
    public synchronized ConfigurableApplicationContext startWorker() {
        String id = "worker-embedded-" + (++workerCount);
        ConfigurableApplicationContext worker = run(
                WorkerApplication.builder(),
                Map.of(
                        "paperpod.worker.id",
                        id,
                        "paperpod.worker.docker-host",
                        "unix://" + settings.podmanSocket(),
                        "paperpod.worker.metrics-port",
                        "0", // several workers may share this machine
                        "paperpod.worker.sandbox.socket-root",
                        settings.home().resolve("sandboxes").toString(),
                        "paperpod.worker.browser.preview-upstream",
                        previewUpstream()));
        workers.add(worker);
        return worker;
    }

    /** Where this machine's workers reach the api's preview proxy: its own port, on loopback when it listens on all. */
    private String previewUpstream() {
        String host = settings.bindAddress();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1";
        }
        return host + ":" + apiPort();
    }

    /** Stops a worker cleanly: its sandboxes are removed, its last heartbeat says it has none ready. */
    public synchronized void stopWorker(ConfigurableApplicationContext worker) {
        workers.remove(worker);
        worker.close();
    }

    public synchronized List<ConfigurableApplicationContext> workers() {
        return List.copyOf(workers);
    }

    /** The api's Spring context (tests reach its beans, e.g. to register a second account). */
    public ConfigurableApplicationContext api() {
        return Objects.requireNonNull(api);
    }

    public String baseUrl() {
        return "http://localhost:" + apiPort();
    }

    public int apiPort() {
        return Integer.parseInt(Objects.requireNonNull(
                Objects.requireNonNull(api).getEnvironment().getProperty("local.server.port")));
    }

    public String devToken() {
        return settings.devToken();
    }

    public KafkaServer kafka() {
        return Objects.requireNonNull(kafka);
    }

    public PostgresServer postgres() {
        return Objects.requireNonNull(postgres);
    }

    public String podmanHost() {
        return "unix://" + settings.podmanSocket();
    }

    public Path home() {
        return settings.home();
    }

    /** Stops the api first (no new work), then workers, the scheduler, Kafka, PostgreSQL and Podman's service. */
    @Override
    public synchronized void close() {
        closeQuietly(api);
        new ArrayList<>(workers).forEach(EmbeddedStack::closeQuietly);
        workers.clear();
        closeQuietly(scheduler);
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (podman != null) {
            podman.close();
        }
    }

    private ConfigurableApplicationContext run(SpringApplicationBuilder app, Map<String, String> own) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("spring.datasource.url", postgres().jdbcUrl());
        props.put("spring.datasource.username", postgres().user());
        props.put("spring.datasource.password", postgres().password());
        props.put("spring.kafka.bootstrap-servers", kafka().bootstrapServers());
        props.put("paperpod.artifacts.dir", settings.home().resolve("artifacts").toString());
        props.put("spring.main.banner-mode", "off");
        props.put("spring.main.log-startup-info", "false");
        props.putAll(own);
        props.putAll(settings.overrides());
        // Command-line arguments outrank each application's own properties file.
        String[] args = props.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        return app.registerShutdownHook(false).run(args);
    }

    private static void closeQuietly(@Nullable ConfigurableApplicationContext context) {
        if (context == null) {
            return;
        }
        try {
            context.close();
        } catch (RuntimeException e) {
            log.warn("Closing {} failed: {}", context.getId(), e.toString());
        }
    }
}
