package dev.paperpod.worker.account;

import dev.paperpod.agent.client.AgentClient;
import dev.paperpod.agent.client.AgentException;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.sandbox.SandboxAnswer;
import dev.paperpod.worker.sandbox.Sandbox;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The {@code /interpret} kernels of the account sandboxes this worker hosts: a Python process per sandbox ({@code
 * kernel.py}, written into the sandbox and started as a background process on first use) that runs cells in one
 * namespace, reached through the agent's tunnel to its port on the sandbox's loopback. A cell that runs past its
 * timeout gets the kernel killed; a kernel that died (a crash, {@code os._exit}, the OOM killer) is started again; in
 * both cases the answer says so, since what earlier cells defined is gone.
 */
public final class Kernels {

    /** The kernel's port: one of those reserved for PaperPod inside a sandbox (3000–3010). */
    static final int PORT = 3001;

    static final String PROCESS = "python-kernel";

    private static final String SCRIPT = "/tmp/.paperpod/kernel.py";
    private static final Duration AGENT_DEADLINE = Duration.ofSeconds(10);
    private static final long START_WAIT_MS = 10_000;
    private static final ScheduledExecutorService TIMEOUTS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kernel-timeouts");
        t.setDaemon(true);
        return t;
    });
    private static final byte[] KERNEL = kernel();

    /** Per sandbox: whether its kernel was started by us and not known to have ended since. */
    private final Map<String, Boolean> started = new ConcurrentHashMap<>();

    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    /** Runs one cell; cells of one sandbox run one at a time. */
    public SandboxAnswer.Interpreted interpret(Sandbox sandbox, String code, long timeoutMs) throws IOException {
        synchronized (lock(sandbox.id())) {
            AgentClient agent = sandbox.agent();
            String restart = null;
            SocketChannel channel;
            if (!started.getOrDefault(sandbox.id(), false)) {
                channel = start(agent, sandbox.id());
            } else {
                try {
                    channel = agent.tunnel(PORT, AGENT_DEADLINE);
                } catch (AgentException e) {
                    if (!e.code().equals("CONNECT_REFUSED")) {
                        throw e;
                    }
                    restart = "the kernel had stopped since the last cell (killed, or out of memory); it was started"
                            + " again";
                    channel = start(agent, sandbox.id());
                }
            }
            try (SocketChannel open = channel) {
                return run(agent, sandbox.id(), open, code, timeoutMs, restart);
            }
        }
    }

    private SandboxAnswer.Interpreted run(
            AgentClient agent,
            String sandboxId,
            SocketChannel channel,
            String code,
            long timeoutMs,
            @Nullable String restart)
            throws IOException {
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> timer = TIMEOUTS.schedule(
                () -> {
                    timedOut.set(true);
                    TunnelServer.closeQuietly(channel);
                },
                timeoutMs,
                TimeUnit.MILLISECONDS);
        String line;
        try {
            write(channel, Wire.mapper().writeValueAsString(Map.of("code", code)) + "\n");
            line = readLine(channel);
        } catch (IOException e) {
            line = null;
        } finally {
            timer.cancel(false);
        }
        if (line == null) {
            started.put(sandboxId, false);
            kill(agent);
            String why = timedOut.get()
                    ? "the cell ran past its " + timeoutMs + " ms: the kernel was restarted, and what earlier cells"
                            + " defined is gone"
                    : "the kernel died running the cell (it exited, crashed, or ran out of memory): it was restarted,"
                            + " and what earlier cells defined is gone";
            return new SandboxAnswer.Interpreted(
                    "",
                    "",
                    false,
                    null,
                    List.of(),
                    new SandboxAnswer.CellError(timedOut.get() ? "TimeoutError" : "KernelDied", why, ""),
                    true,
                    why,
                    0);
        }
        JsonNode a = Wire.mapper().readTree(line);
        List<Map<String, String>> displays = new ArrayList<>();
        for (JsonNode d : a.path("displays")) {
            displays.add(strings(d));
        }
        JsonNode error = a.path("error");
        return new SandboxAnswer.Interpreted(
                a.path("stdout").asString(),
                a.path("stderr").asString(),
                a.path("truncated").asBoolean(),
                a.path("result").isObject() ? strings(a.path("result")) : null,
                displays,
                error.isObject()
                        ? new SandboxAnswer.CellError(
                                error.path("name").asString(),
                                error.path("value").asString(),
                                error.path("traceback").asString())
                        : null,
                restart != null,
                restart,
                a.path("executionCount").asLong());
    }

    /** Writes the kernel into the sandbox, starts it, and connects once it listens. */
    private SocketChannel start(AgentClient agent, String sandboxId) throws IOException {
        kill(agent);
        agent.writeFile(SCRIPT, new ByteArrayInputStream(KERNEL), 0644L, false, AGENT_DEADLINE);
        agent.startProcess(
                PROCESS,
                List.of("python3", "-u", SCRIPT, Integer.toString(PORT)),
                Map.of("MPLBACKEND", "Agg", "PYTHONUNBUFFERED", "1"),
                null,
                AGENT_DEADLINE);
        started.put(sandboxId, true);
        long deadline = System.nanoTime() + START_WAIT_MS * 1_000_000;
        while (true) {
            try {
                return agent.tunnel(PORT, AGENT_DEADLINE);
            } catch (AgentException e) {
                if (!e.code().equals("CONNECT_REFUSED") || System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(20); // python starts in ~50 ms: look again shortly
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while the kernel started", interrupted);
                }
            }
        }
    }

    private static void kill(AgentClient agent) throws IOException {
        try {
            agent.killProcess(PROCESS, "KILL", AGENT_DEADLINE);
        } catch (AgentException e) {
            // none running: nothing to kill
        }
    }

    private static Map<String, String> strings(JsonNode bundle) {
        Map<String, String> out = new LinkedHashMap<>();
        bundle.properties().forEach(e -> out.put(e.getKey(), e.getValue().asString()));
        return out;
    }

    private Object lock(String sandboxId) {
        return locks.computeIfAbsent(sandboxId, k -> new Object());
    }

    private static void write(SocketChannel channel, String line) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** The kernel's answer line; null when the connection ended first. */
    private static @Nullable String readLine(SocketChannel channel) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        while (channel.read(buffer) >= 0) {
            buffer.flip();
            while (buffer.hasRemaining()) {
                byte b = buffer.get();
                if (b == '\n') {
                    return line.toString(StandardCharsets.UTF_8);
                }
                line.write(b);
            }
            buffer.clear();
        }
        return null;
    }

    private static byte[] kernel() {
        try (InputStream in = Kernels.class.getResourceAsStream("kernel.py")) {
            if (in == null) {
                throw new IllegalStateException("kernel.py is missing from the worker's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
