package dev.paperpod.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka in KRaft mode (broker and controller in one), run from Kafka's own server jars as a child
 * JVM: {@code kafka.tools.StorageTool format} once, then {@code kafka.Kafka server.properties}. A child process,
 * not an in-process broker, so that it can be killed and restarted like a real one.
 *
 * <p>The child runs on this JVM's class path, which must hold the Kafka server jars (it does in the launcher and
 * under Surefire/Failsafe with {@code useManifestOnlyJar=false}).
 */
public final class KafkaServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaServer.class);
    private static final String MAIN = "kafka.Kafka";

    private final Path home;
    private final int port;
    private final int controllerPort;
    private final Path logFile;
    private Process process;

    private KafkaServer(Path home, int port) {
        this.home = home;
        this.port = port;
        this.controllerPort = Ports.free();
        this.logFile = home.resolve("kafka.log");
    }

    /**
     * Starts Kafka with its data under {@code home} (kept across restarts), listening on loopback.
     *
     * @param port the client port; 0 picks a free one
     */
    public static KafkaServer start(Path home, int port) {
        KafkaServer server = new KafkaServer(home, port == 0 ? Ports.free() : port);
        server.start();
        return server;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the broker again after {@link #kill()} or {@link #close()}, on the same ports and data. */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        try {
            Files.createDirectories(home.resolve("data"));
            ChildProcesses.stopLeftover(home.resolve("kafka.pid"), MAIN, Duration.ofSeconds(20));
            Path config = writeConfig();
            if (!Files.exists(home.resolve("data/meta.properties"))) {
                format(config);
            }
            long started = System.nanoTime();
            process = new ProcessBuilder(ChildProcesses.detached(command(MAIN, config.toString())))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            Files.writeString(home.resolve("kafka.pid"), Long.toString(process.pid()));
            awaitReady(Duration.ofSeconds(90));
            log.info("Kafka ready on {} in {} ms", bootstrapServers(), (System.nanoTime() - started) / 1_000_000);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Kafka in " + home, e);
        }
    }

    /** Stops the broker abruptly (SIGKILL), as a crash would. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            process.onExit().orTimeout(10, TimeUnit.SECONDS).join();
        }
    }

    /** Stops the broker cleanly (SIGTERM, controlled shutdown). */
    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            ChildProcesses.stop(process.toHandle(), Duration.ofSeconds(30));
        }
    }

    private Path writeConfig() throws IOException {
        Properties props = new Properties();
        props.putAll(Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", "1"),
                Map.entry("controller.quorum.voters", "1@127.0.0.1:" + controllerPort),
                Map.entry("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort),
                Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                Map.entry("log.dirs", home.resolve("data").toString()),
                Map.entry("num.partitions", "8"),
                Map.entry("auto.create.topics.enable", "false"),
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("offsets.topic.num.partitions", "8"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("share.coordinator.state.topic.min.isr", "1"),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                Map.entry("log.segment.bytes", String.valueOf(64 * 1024 * 1024)),
                Map.entry("log.retention.hours", "168"),
                Map.entry("message.max.bytes", Integer.toString(8 * 1024 * 1024))));
        Path file = home.resolve("server.properties");
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            props.store(out, "written by PaperPod at every start");
        }
        return file;
    }

    private void format(Path config) throws IOException {
        String clusterId = Uuid.randomUuid().toString();
        Process format = new ProcessBuilder(
                        command("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString()))
                .redirectErrorStream(true)
                .start();
        String output;
        try (InputStream in = format.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                throw new IOException("formatting Kafka's storage failed:\n" + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while formatting Kafka's storage", e);
        }
    }

    private List<String> command(String main, String... args) throws IOException {
        Path logback = home.resolve("logback-kafka.xml");
        try (InputStream in = KafkaServer.class.getResourceAsStream("logback-kafka.xml")) {
            Files.write(logback, in.readAllBytes());
        }
        List<String> command = new ArrayList<>(
                List.of(ChildProcesses.java(), "-Xms128m", "-Xmx512m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20"));
        command.addAll(jitOptions());
        command.addAll(List.of(
                "-Djava.awt.headless=true",
                "-Dlogback.configurationFile=" + logback,
                "-cp",
                System.getProperty("java.class.path"),
                main));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * The broker's compiler: on two cores or fewer C1 alone, as for PaperPod's own JVM ({@code ./paperpod}). C2 did
     * not settle within a benchmark's length — it took 6–11 % of the machine through the async runs, a quarter of a
     * core at times — while C1's code costs the broker little more per request (docs/benchmarks.md). {@code
     * PAPERPOD_KAFKA_JAVA_OPTS}, even empty, replaces this choice (its options go here, after the heap's).
     */
    private static List<String> jitOptions() {
        String configured = System.getenv("PAPERPOD_KAFKA_JAVA_OPTS");
        if (configured != null) {
            return configured.isBlank() ? List.of() : List.of(configured.trim().split("\\s+"));
        }
        return Runtime.getRuntime().availableProcessors() <= 2 ? List.of("-XX:TieredStopAtLevel=1") : List.of();
    }

    private void awaitReady(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        // An admin client asked before the broker listens logs a warning per refused connection: wait for the port
        awaitListening(deadline, timeout);
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
        try (Admin admin = Admin.create(config)) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IOException("Kafka exited with code " + process.exitValue() + "; its log ends:\n"
                            + ChildProcesses.tail(logFile, 30));
                }
                try {
                    if (!admin.describeCluster()
                            .nodes()
                            .get(2, TimeUnit.SECONDS)
                            .isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    LockSupport.parkNanos(Duration.ofMillis(100).toNanos()); // not up yet
                }
            }
        }
        throw new IOException("Kafka did not become ready within " + timeout + "; its log ends:\n"
                + ChildProcesses.tail(logFile, 30));
    }

    private void awaitListening(long deadline, Duration timeout) throws IOException {
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("Kafka exited with code " + process.exitValue() + "; its log ends:\n"
                        + ChildProcesses.tail(logFile, 30));
            }
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1_000);
                return;
            } catch (IOException e) {
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // not listening yet
            }
        }
        throw new IOException("Kafka did not listen on " + bootstrapServers() + " within " + timeout
                + "; its log ends:\n" + ChildProcesses.tail(logFile, 30));
    }
}
