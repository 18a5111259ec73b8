package dev.paperpod.launcher.support;

import dev.paperpod.launcher.EmbeddedStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A worker in a JVM of its own, against an {@link EmbeddedStack}'s Kafka and Podman, so a test can kill it for real
 * ({@code kill -9}) in the middle of a job.
 */
public final class WorkerProcess implements AutoCloseable {

    private final String id;
    private final Process process;

    private WorkerProcess(String id, Process process) {
        this.id = id;
        this.process = process;
    }

    public static WorkerProcess start(EmbeddedStack stack, String id, Map<String, String> overrides) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.paperpod.worker.WorkerApplication",
                "--spring.kafka.bootstrap-servers=" + stack.kafka().bootstrapServers(),
                "--spring.main.banner-mode=off",
                "--paperpod.worker.id=" + id,
                "--paperpod.worker.docker-host=" + stack.podmanHost(),
                "--paperpod.worker.metrics-port=0",
                "--paperpod.worker.sandbox.socket-root=" + shortSocketRoot(id)));
        Map<String, String> settings = new java.util.HashMap<>();
        // the workers tests start beside the stack's own run code; the stack's worker runs the browsers
        settings.put("paperpod.worker.browser.enabled", "false");
        settings.putAll(overrides); // each once: a property given twice on the command line is both values joined
        settings.forEach((k, v) -> command.add("--" + k + "=" + v));
        try {
            Path log = Files.createDirectories(stack.home().resolve("logs")).resolve(id + ".log");
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            return new WorkerProcess(id, process);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Agent sockets need short paths (107 bytes at most), shorter than a test's home in a deep checkout. */
    private static Path shortSocketRoot(String id) {
        try {
            return Files.createTempDirectory("pp-" + id + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String id() {
        return id;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, as a crash or the OOM killer would: no shutdown hook, no last heartbeat, sandboxes left behind. */
    public void kill() {
        process.destroyForcibly();
        process.onExit().orTimeout(30, TimeUnit.SECONDS).join();
    }

    /** SIGTERM: the worker removes its sandboxes and says goodbye. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }
}
