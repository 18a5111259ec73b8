package dev.paperpod.agent;

import dev.paperpod.agent.protocol.Fields;
import dev.paperpod.agent.protocol.FrameWriter;
import dev.paperpod.agent.protocol.MessageType;
import dev.paperpod.agent.protocol.ProtocolException;
import dev.paperpod.agent.protocol.Tag;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Runs one EXEC request: starts the process in a session of its own, streams its output as it comes, enforces
 * the wall-clock and output limits by killing the whole process group, and reports how it ended.
 *
 * <p>The run ends when the main process exits. Whatever it left running in its process group (a background
 * {@code sleep &} still holding stdout) gets {@code leftoverGraceMs} to finish, then is killed: an exec must
 * answer, and long-lived background work has its own request.
 */
final class ExecSession {

    private static final int CHUNK = 64 * 1024;
    private static final long MEMORY_SAMPLE_MS = 10;

    private final SocketChannel client;
    private final FrameWriter out;
    private final Fields request;
    private final AgentSettings settings;
    private final Sessions sessions;

    private final AtomicReference<@Nullable String> verdict = new AtomicReference<>();
    private final AtomicLong outputBytes = new AtomicLong();
    private final AtomicBoolean truncated = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicLong peakMemory = new AtomicLong(-1);
    private long outputLimit;
    private @Nullable Process process;

    ExecSession(SocketChannel client, FrameWriter out, Fields request, AgentSettings settings, Sessions sessions) {
        this.client = client;
        this.out = out;
        this.request = request;
        this.settings = settings;
        this.sessions = sessions;
    }

    void run() throws IOException {
        List<String> argv = new ArrayList<>(request.getStrings(Tag.ARGV));
        if (argv.isEmpty()) {
            SandboxAgent.error(out, "BAD_REQUEST", "EXEC needs ARGV, the program and its arguments");
            return;
        }
        Path cwd = Path.of(stringOr(Tag.CWD, settings.defaultCwd().toString()));
        if (!Files.isDirectory(cwd)) {
            SandboxAgent.error(out, "BAD_CWD", "working directory " + cwd + " does not exist");
            return;
        }
        Map<String, String> env = request.getMap(Tag.ENV);
        if (!runnable(argv.get(0), cwd, env)) {
            SandboxAgent.error(out, "SPAWN_FAILED", "cannot start " + argv.get(0) + ": no such program");
            return;
        }
        long timeoutMs = request.getLong(Tag.TIMEOUT_MS, 0);
        outputLimit = request.getLong(Tag.OUTPUT_LIMIT, Long.MAX_VALUE);
        byte[] stdin = request.getBytes(Tag.STDIN);

        Path scriptDir = null;
        try {
            byte[] script = request.getBytes(Tag.SCRIPT);
            if (script != null) {
                scriptDir = writeScript(script, argv);
            }
            List<String> command = new ArrayList<>();
            if (settings.setsid()) {
                command.add("setsid");
            }
            // The job, not the agent, is what the OOM killer should take: raising one's own score needs no privilege.
            command.addAll(
                    List.of("/bin/sh", "-c", "echo 1000 > /proc/self/oom_score_adj 2>/dev/null; exec \"$@\"", "sh"));
            command.addAll(argv);
            ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile());
            builder.environment().putAll(env);
            if (stdin == null) {
                builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            long cpuBefore = Cgroup.cpuNanos();
            long oomKillsBefore = Cgroup.oomKills();
            long pidsHitsBefore = Cgroup.pidsLimitHits();
            // Every helper thread exists before the program does: a fork bomb can take every pid within
            // milliseconds of its start, and a thread is a pid.
            CompletableFuture<Process> spawned = new CompletableFuture<>();
            Helpers.Helper stdout =
                    Helpers.start(() -> once(spawned, q -> pump(q.getInputStream(), MessageType.STDOUT)));
            Helpers.Helper stderr =
                    Helpers.start(() -> once(spawned, q -> pump(q.getErrorStream(), MessageType.STDERR)));
            if (stdin != null) {
                Helpers.start(() -> once(spawned, q -> feed(q.getOutputStream(), stdin)));
            }
            Helpers.start(() -> once(spawned, q -> killWhenClientLeaves()));
            startMemorySampler(spawned);
            long started = System.nanoTime();
            Process p;
            try {
                p = builder.start();
            } catch (IOException | OutOfMemoryError e) {
                spawned.complete(null);
                SandboxAgent.error(out, "SPAWN_FAILED", "cannot start " + argv.get(0) + ": " + e.getMessage());
                return;
            }
            process = p;
            spawned.complete(p);
            if (settings.setsid()) {
                sessions.started(p.pid()); // setsid execs in place: the pid is the session's id
            }
            out.write(MessageType.STARTED, Fields.writer().putLong(Tag.PID, p.pid()));

            boolean exited = timeoutMs > 0 ? p.waitFor(timeoutMs, TimeUnit.MILLISECONDS) : waitFor(p);
            if (!exited) {
                end("TIMEOUT");
            }
            int exitCode = p.waitFor();
            long wallMs = (System.nanoTime() - started) / 1_000_000;
            long cpuAfter = Cgroup.cpuNanos();
            if (oomKillsBefore >= 0 && Cgroup.oomKills() > oomKillsBefore) {
                end("MEMORY_LIMIT");
            }
            stdout.join(settings.leftoverGraceMs());
            stderr.join(settings.leftoverGraceMs());
            if (stdout.isAlive() || stderr.isAlive()) {
                killTree(p);
                stdout.join(2_000);
                stderr.join(2_000);
            }
            finished.set(true);
            if (pidsHitsBefore >= 0 && Cgroup.pidsLimitHits() > pidsHitsBefore) {
                // The program lived with refused forks (a fork bomb); its leftovers were killed above.
                verdict.compareAndSet(null, "PIDS_LIMIT");
            }
            String how = verdict.get() == null ? "OK" : verdict.get();
            Fields.Writer exit = Fields.writer()
                    .putString(Tag.VERDICT, how)
                    .putBool(Tag.TRUNCATED, truncated.get())
                    .putLong(Tag.WALL_MS, wallMs);
            if (cpuBefore >= 0 && cpuAfter >= cpuBefore) {
                exit.putLong(Tag.CPU_MS, (cpuAfter - cpuBefore) / 1_000_000);
            }
            if (peakMemory.get() > 0) {
                exit.putLong(Tag.PEAK_MEMORY, peakMemory.get());
            }
            if ("OK".equals(how) || "PIDS_LIMIT".equals(how)) {
                exit.putLong(Tag.EXIT_CODE, exitCode); // the program ended by itself
            }
            if (scriptDir != null) {
                Trees.deleteQuietly(scriptDir); // before EXIT: the next request may look for leftovers
                scriptDir = null;
            }
            out.write(MessageType.EXIT, exit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end("KILLED");
        } finally {
            if (scriptDir != null) {
                Trees.deleteQuietly(scriptDir);
            }
        }
    }

    private String stringOr(int tag, String absent) throws ProtocolException {
        String value = request.getString(tag);
        return value == null ? absent : value;
    }

    private Path writeScript(byte[] script, List<String> argv) throws IOException {
        String name = stringOr(Tag.SCRIPT_NAME, "script");
        if (name.isEmpty() || name.contains("/")) {
            throw new ProtocolException("SCRIPT_NAME must be a plain file name, not '" + name + "'");
        }
        Files.createDirectories(settings.scratchDir());
        Path dir = Files.createTempDirectory(settings.scratchDir(), "exec-");
        Path file = Files.write(dir.resolve(name), script);
        argv.add(file.toString());
        return dir;
    }

    /**
     * Whether the program exists, checked here because under {@code setsid} a missing one would only show up as
     * exit code 127.
     */
    private static boolean runnable(String program, Path cwd, Map<String, String> env) {
        if (program.contains("/")) {
            return Files.isExecutable(cwd.resolve(program));
        }
        String path = env.getOrDefault("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static boolean waitFor(Process p) throws InterruptedException {
        p.waitFor();
        return true;
    }

    /** Records why the run ended (the first reason wins) and kills the process tree. */
    private void end(String why) {
        verdict.compareAndSet(null, why);
        Process p = process;
        if (p != null) {
            killTree(p);
        }
    }

    /**
     * Kills the run's whole session (setsid made the program its leader, so the session id is its pid), which
     * catches orphans its descendants left, and then whatever is still below the program.
     */
    private void killTree(Process p) {
        if (settings.setsid()) {
            Killer.killAll(Killer.inSession(p.pid()), 2_000);
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private void pump(InputStream in, byte type) {
        byte[] buffer = new byte[CHUNK];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                long total = outputBytes.addAndGet(n);
                int pass = n;
                if (total > outputLimit) {
                    pass = (int) Math.max(0, n - (total - outputLimit));
                    truncated.set(true);
                    end("OUTPUT_LIMIT");
                }
                if (pass > 0) {
                    out.write(type, buffer, 0, pass);
                }
            }
        } catch (IOException e) {
            // The pipe closed (process killed) or the worker left; the exit report says which.
        }
    }

    private static void feed(OutputStream stdin, byte[] data) {
        try (stdin) {
            stdin.write(data);
        } catch (IOException e) {
            // The program exited without reading all of its input: that is its business.
        }
    }

    /** The worker sends nothing after EXEC; end of stream before the run finished means it gave up. */
    private void killWhenClientLeaves() {
        try {
            ByteBuffer one = ByteBuffer.allocate(1);
            while (client.read(one) >= 0 && !finished.get()) {
                one.clear();
            }
        } catch (IOException e) {
            // closed
        }
        if (!finished.get()) {
            end("KILLED");
        }
    }

    /**
     * Samples the sandbox's memory every few milliseconds while the run lasts: the cgroup keeps no peak that can be
     * reset per run. A run too short for a sample still gets one, at its start and its end.
     */
    /** Runs {@code body} with the process once it is spawned; not at all if it never was. */
    private static void once(CompletableFuture<Process> spawned, java.util.function.Consumer<Process> body) {
        Process p = spawned.join();
        if (p != null) {
            body.accept(p);
        }
    }

    private void startMemorySampler(CompletableFuture<Process> spawned) {
        if (Cgroup.memoryBytes() < 0) {
            return;
        }
        peakMemory.accumulateAndGet(Cgroup.memoryBytes(), Math::max);
        try {
            Helpers.start(() -> once(spawned, p -> {
                while (p.isAlive() && !finished.get()) {
                    peakMemory.accumulateAndGet(Cgroup.memoryBytes(), Math::max);
                    try {
                        Thread.sleep(MEMORY_SAMPLE_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                peakMemory.accumulateAndGet(Cgroup.memoryBytes(), Math::max);
            }));
        } catch (OutOfMemoryError e) {
            // no thread to be had (a fork bomb holds the pids): the start sample stands
        }
    }
}
