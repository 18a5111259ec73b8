package dev.paperpod.agent;

import dev.paperpod.agent.protocol.Fields;
import dev.paperpod.agent.protocol.FrameWriter;
import dev.paperpod.agent.protocol.MessageType;
import dev.paperpod.agent.protocol.ProtocolException;
import dev.paperpod.agent.protocol.Tag;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Long-lived processes started by name (a dev server, a watcher): each runs in a session of its own, its output
 * kept in memory (the last {@value #KEPT_BYTES} bytes) for {@code PROC_LOGS}, with followers served as it comes.
 * A RESET kills them like any job process.
 */
final class BackgroundProcesses {

    static final int KEPT_BYTES = 1024 * 1024;

    private final Map<String, Background> byName = new ConcurrentHashMap<>();
    private final AgentSettings settings;
    private final Sessions sessions;

    BackgroundProcesses(AgentSettings settings, Sessions sessions) {
        this.settings = settings;
        this.sessions = sessions;
    }

    void start(Fields request, FrameWriter out) throws IOException {
        String name = request.getString(Tag.NAME);
        if (name == null || name.isBlank()) {
            SandboxAgent.error(out, "BAD_REQUEST", "PROC_START needs a NAME");
            return;
        }
        List<String> argv = request.getStrings(Tag.ARGV);
        if (argv.isEmpty()) {
            SandboxAgent.error(out, "BAD_REQUEST", "PROC_START needs ARGV, the program and its arguments");
            return;
        }
        Background existing = byName.get(name);
        if (existing != null && existing.process.isAlive()) {
            SandboxAgent.error(
                    out, "EXISTS", "a process named '" + name + "' is running (pid " + existing.process.pid() + ")");
            return;
        }
        String cwd = request.getString(Tag.CWD);
        List<String> command = new ArrayList<>();
        if (settings.setsid()) {
            command.add("setsid");
        }
        command.addAll(argv);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory((cwd == null
                                ? settings.defaultCwd()
                                : settings.defaultCwd().resolve(cwd))
                        .toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(request.getMap(Tag.ENV));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            SandboxAgent.error(out, "SPAWN_FAILED", "cannot start " + argv.get(0) + ": " + e.getMessage());
            return;
        }
        if (settings.setsid()) {
            sessions.started(process.pid());
        }
        Background background = new Background(name, process, System.currentTimeMillis());
        byName.put(name, background);
        background.pump(process.getInputStream(), MessageType.STDOUT);
        background.pump(process.getErrorStream(), MessageType.STDERR);
        out.write(
                MessageType.PROC_STARTED,
                Fields.writer().putString(Tag.NAME, name).putLong(Tag.PID, process.pid()));
    }

    void list(FrameWriter out) throws IOException {
        for (Background b : byName.values()) {
            Fields.Writer entry = Fields.writer()
                    .putString(Tag.NAME, b.name)
                    .putLong(Tag.PID, b.process.pid())
                    .putBool(Tag.RUNNING, b.process.isAlive())
                    .putLong(Tag.STARTED_MS, b.startedMs)
                    .putLong(Tag.DROPPED, b.dropped());
            if (!b.process.isAlive()) {
                entry.putLong(Tag.EXIT_CODE, b.process.exitValue());
            }
            out.write(MessageType.ENTRY, entry);
        }
        out.write(MessageType.LIST_END, new byte[0]);
    }

    void logs(Fields request, SocketChannel client, FrameWriter out) throws IOException {
        Background b = find(request, out);
        if (b == null) {
            return;
        }
        b.sendTail(request.getLong(Tag.TAIL_BYTES, KEPT_BYTES), request.getBool(Tag.FOLLOW, false), client, out);
    }

    void kill(Fields request, FrameWriter out) throws IOException {
        Background b = find(request, out);
        if (b == null) {
            return;
        }
        String signal = request.getString(Tag.SIGNAL);
        if (signal == null || signal.equals("TERM")) {
            Killer.running(Killer.inSession(b.process.pid())).forEach(ProcessHandle::destroy);
            b.process.destroy();
        } else if (signal.equals("KILL")) {
            Killer.killAll(Killer.inSession(b.process.pid()), 2_000);
            b.process.destroyForcibly();
        } else {
            throw new ProtocolException("SIGNAL must be TERM or KILL, not " + signal);
        }
        out.write(MessageType.OK, Fields.writer());
    }

    /** Forgets every process (a RESET has killed them). */
    void clear() {
        byName.clear();
    }

    private @Nullable Background find(Fields request, FrameWriter out) throws IOException {
        String name = request.getString(Tag.NAME);
        Background b = name == null ? null : byName.get(name);
        if (b == null) {
            SandboxAgent.error(out, "NOT_FOUND", "no background process named '" + name + "'");
        }
        return b;
    }

    /** One background process and its kept output. */
    private static final class Background {
        private final String name;
        private final Process process;
        private final long startedMs;
        /** Chunks of output, oldest first; guarded by this. */
        private final Deque<Chunk> kept = new ArrayDeque<>();

        private final List<Follower> followers = new ArrayList<>();
        private long keptBytes;
        private long dropped;
        private int openStreams = 2;

        Background(String name, Process process, long startedMs) {
            this.name = name;
            this.process = process;
            this.startedMs = startedMs;
        }

        private record Chunk(byte stream, byte[] data) {}

        private record Follower(FrameWriter out, Object done) {}

        void pump(InputStream in, byte stream) {
            Thread t = new Thread(
                    () -> {
                        byte[] buffer = new byte[16 * 1024];
                        try (in) {
                            int n;
                            while ((n = in.read(buffer)) >= 0) {
                                append(stream, java.util.Arrays.copyOf(buffer, n));
                            }
                        } catch (IOException e) {
                            // killed
                        }
                        streamClosed();
                    },
                    "proc-" + name);
            t.setDaemon(true);
            t.start();
        }

        synchronized long dropped() {
            return dropped;
        }

        private synchronized void append(byte stream, byte[] data) {
            kept.addLast(new Chunk(stream, data));
            keptBytes += data.length;
            while (keptBytes > KEPT_BYTES && kept.size() > 1) {
                Chunk old = kept.pollFirst();
                keptBytes -= old.data().length;
                dropped += old.data().length;
            }
            for (Follower f : List.copyOf(followers)) {
                try {
                    f.out().write(stream, data);
                } catch (IOException e) {
                    followers.remove(f); // that follower went away
                }
            }
        }

        private void streamClosed() {
            List<Follower> ending;
            synchronized (this) {
                if (--openStreams > 0) {
                    return;
                }
                ending = List.copyOf(followers);
                followers.clear();
            }
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (Follower f : ending) {
                synchronized (f.done()) {
                    f.done().notifyAll();
                }
            }
        }

        void sendTail(long tailBytes, boolean follow, SocketChannel client, FrameWriter out) throws IOException {
            Object done = new Object();
            synchronized (this) {
                List<Chunk> tail = new ArrayList<>();
                long bytes = 0;
                for (var it = kept.descendingIterator(); it.hasNext() && bytes < tailBytes; ) {
                    Chunk c = it.next();
                    tail.add(0, c);
                    bytes += c.data().length;
                }
                for (Chunk c : tail) {
                    out.write(c.stream(), c.data());
                }
                if (follow && openStreams > 0) {
                    followers.add(new Follower(out, done));
                }
            }
            if (follow) {
                awaitEnd(done, client);
            }
            if (process.isAlive()) {
                out.write(MessageType.LIST_END, new byte[0]);
            } else {
                out.write(
                        MessageType.PROC_EXITED,
                        Fields.writer().putString(Tag.NAME, name).putLong(Tag.EXIT_CODE, process.exitValue()));
            }
        }

        /** Until the process's output ends, or the follower closes its connection. */
        private void awaitEnd(Object done, SocketChannel client) throws IOException {
            client.configureBlocking(true);
            Thread watcher = new Thread(
                    () -> {
                        try {
                            client.read(ByteBuffer.allocate(1)); // returns -1 when the follower leaves
                        } catch (IOException e) {
                            // closed
                        }
                        synchronized (done) {
                            done.notifyAll();
                        }
                    },
                    "follow-" + name);
            watcher.setDaemon(true);
            watcher.start();
            synchronized (done) {
                while (true) {
                    synchronized (this) {
                        if (openStreams == 0 || !watcher.isAlive()) {
                            break;
                        }
                    }
                    try {
                        done.wait(1_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            synchronized (this) {
                followers.removeIf(f -> f.done() == done);
            }
        }
    }
}
