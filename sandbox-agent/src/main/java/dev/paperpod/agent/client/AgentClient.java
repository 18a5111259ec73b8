package dev.paperpod.agent.client;

import dev.paperpod.agent.protocol.Fields;
import dev.paperpod.agent.protocol.Frame;
import dev.paperpod.agent.protocol.FrameIO;
import dev.paperpod.agent.protocol.MessageType;
import dev.paperpod.agent.protocol.Tag;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Talks to one sandbox's agent over its Unix socket, one connection per request. Every call has a deadline:
 * a blocking socket channel cannot time out a read, so a watchdog closes the connection when the deadline
 * passes, which also tells the agent to kill what it runs.
 */
public final class AgentClient {

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "agent-client-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final Path socket;

    public AgentClient(Path socket) {
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    /** Answers the agent's protocol version, or throws when it is not (yet) listening. */
    public long ping(Duration deadline) throws IOException {
        return call(MessageType.PING, Fields.writer(), MessageType.PONG, deadline)
                .getLong(Tag.VERSION, 0);
    }

    /** What the sandbox uses now: memory, and its working and temporary directories' file systems. */
    public Usage stats(Duration deadline) throws IOException {
        Fields f = call(MessageType.STATS, Fields.writer(), MessageType.STATS_DONE, deadline);
        return new Usage(
                f.has(Tag.MEMORY_USED) ? f.getLong(Tag.MEMORY_USED, 0) : null,
                f.has(Tag.DISK_USED) ? f.getLong(Tag.DISK_USED, 0) : null,
                f.has(Tag.DISK_SIZE) ? f.getLong(Tag.DISK_SIZE, 0) : null,
                f.has(Tag.TMP_USED) ? f.getLong(Tag.TMP_USED, 0) : null,
                f.has(Tag.TMP_SIZE) ? f.getLong(Tag.TMP_SIZE, 0) : null);
    }

    /** What a sandbox uses; each figure null when its kernel does not tell. */
    public record Usage(
            @Nullable Long memoryBytes,
            @Nullable Long workspaceBytes,
            @Nullable Long workspaceSizeBytes,
            @Nullable Long tmpBytes,
            @Nullable Long tmpSizeBytes) {}

    /** Makes the sandbox fit for the same account's next job; see {@link ResetOutcome#verified()}. */
    public ResetOutcome reset(Duration deadline) throws IOException {
        Fields f = call(MessageType.RESET, Fields.writer(), MessageType.RESET_DONE, deadline);
        return new ResetOutcome(
                f.getLong(Tag.KILLED, 0), f.getBool(Tag.VERIFIED, false), f.getString(Tag.ERROR_MESSAGE));
    }

    /**
     * Runs a command, handing output to {@code listener} as it comes.
     *
     * @param deadline when to give up on the agent altogether: the command's own timeout plus a margin
     * @throws AgentException when the agent refuses the request
     * @throws IOException when the agent cannot be reached or does not answer by the deadline
     */
    public ExecOutcome exec(ExecCommand command, OutputListener listener, Duration deadline) throws IOException {
        return exec(command, listener, deadline, new Cancellation());
    }

    /**
     * Runs a command that {@code cancellation} can stop from another thread.
     *
     * @throws Cancellation.CanceledException when it was canceled (the agent killed the command's processes)
     */
    public ExecOutcome exec(ExecCommand command, OutputListener listener, Duration deadline, Cancellation cancellation)
            throws IOException {
        Fields.Writer request = Fields.writer()
                .putStrings(Tag.ARGV, command.argv())
                .putMap(Tag.ENV, command.env())
                .putLong(Tag.TIMEOUT_MS, command.timeoutMs())
                .putLong(Tag.OUTPUT_LIMIT, command.outputLimit())
                .putString(Tag.SCRIPT_NAME, command.scriptName());
        if (command.cwd() != null) {
            request.putString(Tag.CWD, command.cwd());
        }
        if (command.stdin() != null) {
            request.putBytes(Tag.STDIN, command.stdin());
        }
        if (command.script() != null) {
            request.putBytes(Tag.SCRIPT, command.script());
        }
        try (SocketChannel channel = open();
                Watchdog watchdog = new Watchdog(channel, deadline)) {
            cancellation.attach(channel);
            boolean sent = false;
            while (true) {
                Frame frame;
                try {
                    if (!sent) {
                        FrameIO.write(channel, MessageType.EXEC, request.toBytes());
                        sent = true;
                    }
                    frame = expectFrame(channel);
                } catch (ClosedChannelException e) {
                    if (cancellation.isCanceled()) {
                        throw new Cancellation.CanceledException();
                    }
                    throw new InterruptedIOException("agent did not finish within " + deadline + " (" + socket + ")");
                }
                byte[] payload = frame.payload();
                switch (frame.type()) {
                    case MessageType.STARTED -> listener.started(frame.fields().getLong(Tag.PID, -1));
                    case MessageType.STDOUT -> listener.output(false, payload, 0, payload.length);
                    case MessageType.STDERR -> listener.output(true, payload, 0, payload.length);
                    case MessageType.EXIT -> {
                        Fields f = frame.fields();
                        Integer exitCode = f.has(Tag.EXIT_CODE) ? (int) f.getLong(Tag.EXIT_CODE, -1) : null;
                        String verdict = f.getString(Tag.VERDICT);
                        return new ExecOutcome(
                                verdict == null ? "ERROR" : verdict,
                                exitCode,
                                f.getBool(Tag.TRUNCATED, false),
                                f.getLong(Tag.WALL_MS, 0),
                                f.has(Tag.CPU_MS) ? f.getLong(Tag.CPU_MS, 0) : null,
                                f.has(Tag.PEAK_MEMORY) ? f.getLong(Tag.PEAK_MEMORY, 0) : null);
                    }
                    default -> throw unexpected(frame);
                }
            }
        }
    }

    // Files

    /** Writes a file from {@code content}, streamed; returns its size. Parents are created. */
    public long writeFile(String path, InputStream content, @Nullable Long mode, boolean append, Duration deadline)
            throws IOException {
        Fields.Writer request = Fields.writer().putString(Tag.PATH, path).putBool(Tag.APPEND, append);
        if (mode != null) {
            request.putLong(Tag.MODE, mode);
        }
        try (SocketChannel channel = open();
                Watchdog ignored = new Watchdog(channel, deadline)) {
            FrameIO.write(channel, MessageType.FILE_WRITE, request.toBytes());
            byte[] buffer = new byte[64 * 1024];
            int n;
            try {
                while ((n = content.read(buffer)) > 0) {
                    FrameIO.write(channel, MessageType.DATA, buffer, 0, n);
                }
                FrameIO.write(channel, MessageType.DATA_END, new byte[0]);
            } catch (IOException e) {
                // the agent refused mid-way (no space left, a directory in the way) and closed: its answer says why
                Frame answer;
                try {
                    answer = FrameIO.read(channel);
                } catch (IOException ignoredToo) {
                    throw e;
                }
                if (answer != null && answer.type() == MessageType.ERROR) {
                    throw unexpected(answer);
                }
                throw e;
            }
            return expect(channel, MessageType.OK).getLong(Tag.SIZE, -1);
        }
    }

    /** Reads a file into {@code sink}, streamed. */
    public FileEntry readFile(String path, OutputStream sink, Duration deadline) throws IOException {
        return readFile(path, info -> {}, sink, deadline);
    }

    /**
     * Reads a file into {@code sink}, streamed, telling {@code onInfo} its size, mode and time before any of its
     * content.
     */
    public FileEntry readFile(String path, FileInfoListener onInfo, OutputStream sink, Duration deadline)
            throws IOException {
        try (SocketChannel channel = open();
                Watchdog ignored = new Watchdog(channel, deadline)) {
            FrameIO.write(
                    channel,
                    MessageType.FILE_READ,
                    Fields.writer().putString(Tag.PATH, path).toBytes());
            Fields info = expect(channel, MessageType.FILE_INFO);
            onInfo.info(new FileEntry(
                    "", "file", info.getLong(Tag.SIZE, 0), info.getLong(Tag.MODE, 0), info.getLong(Tag.MTIME_MS, 0)));
            while (true) {
                Frame frame = expectFrame(channel);
                if (frame.type() == MessageType.DATA_END) {
                    break;
                }
                if (frame.type() != MessageType.DATA) {
                    throw unexpected(frame);
                }
                sink.write(frame.payload());
            }
            return new FileEntry(
                    "", "file", info.getLong(Tag.SIZE, 0), info.getLong(Tag.MODE, 0), info.getLong(Tag.MTIME_MS, 0));
        }
    }

    /** Told of a file's size, mode and time before its content comes. */
    public interface FileInfoListener {
        void info(FileEntry file) throws IOException;
    }

    public List<FileEntry> listFiles(String path, boolean recursive, Duration deadline) throws IOException {
        Fields.Writer request = Fields.writer().putString(Tag.PATH, path).putBool(Tag.RECURSIVE, recursive);
        List<FileEntry> entries = new ArrayList<>();
        for (Fields f : entries(MessageType.FILE_LIST, request, deadline)) {
            entries.add(new FileEntry(
                    f.getString(Tag.NAME),
                    f.getString(Tag.TYPE),
                    f.getLong(Tag.SIZE, 0),
                    f.getLong(Tag.MODE, 0),
                    f.getLong(Tag.MTIME_MS, 0)));
        }
        return entries;
    }

    public void mkdir(String path, boolean parents, Duration deadline) throws IOException {
        call(MessageType.MKDIR, Fields.writer().putString(Tag.PATH, path).putBool(Tag.PARENTS, parents), deadline);
    }

    public void delete(String path, boolean recursive, Duration deadline) throws IOException {
        call(MessageType.DELETE, Fields.writer().putString(Tag.PATH, path).putBool(Tag.RECURSIVE, recursive), deadline);
    }

    public void move(String from, String to, boolean overwrite, Duration deadline) throws IOException {
        call(
                MessageType.MOVE,
                Fields.writer()
                        .putString(Tag.PATH, from)
                        .putString(Tag.TARGET, to)
                        .putBool(Tag.OVERWRITE, overwrite),
                deadline);
    }

    // Background processes

    /** Starts a background process; returns its pid. */
    public long startProcess(
            String name, List<String> argv, Map<String, String> env, @Nullable String cwd, Duration deadline)
            throws IOException {
        Fields.Writer request = Fields.writer()
                .putString(Tag.NAME, name)
                .putStrings(Tag.ARGV, argv)
                .putMap(Tag.ENV, env);
        if (cwd != null) {
            request.putString(Tag.CWD, cwd);
        }
        return call(MessageType.PROC_START, request, MessageType.PROC_STARTED, deadline)
                .getLong(Tag.PID, -1);
    }

    public List<BackgroundProcess> listProcesses(Duration deadline) throws IOException {
        List<BackgroundProcess> processes = new ArrayList<>();
        for (Fields f : entries(MessageType.PROC_LIST, Fields.writer(), deadline)) {
            processes.add(new BackgroundProcess(
                    f.getString(Tag.NAME),
                    f.getLong(Tag.PID, -1),
                    f.getBool(Tag.RUNNING, false),
                    f.has(Tag.EXIT_CODE) ? (int) f.getLong(Tag.EXIT_CODE, -1) : null,
                    f.getLong(Tag.STARTED_MS, 0),
                    f.getLong(Tag.DROPPED, 0)));
        }
        return processes;
    }

    /**
     * A background process's kept output (the last {@code tailBytes}), then, with {@code follow}, its output as it
     * comes until it exits. Returns its exit code once it has exited, or null while it still runs.
     */
    public @Nullable Integer processLogs(
            String name, long tailBytes, boolean follow, OutputListener listener, Duration deadline)
            throws IOException {
        Fields.Writer request = Fields.writer()
                .putString(Tag.NAME, name)
                .putLong(Tag.TAIL_BYTES, tailBytes)
                .putBool(Tag.FOLLOW, follow);
        try (SocketChannel channel = open();
                Watchdog ignored = new Watchdog(channel, deadline)) {
            FrameIO.write(channel, MessageType.PROC_LOGS, request.toBytes());
            while (true) {
                Frame frame = expectFrame(channel);
                byte[] payload = frame.payload();
                switch (frame.type()) {
                    case MessageType.STDOUT -> listener.output(false, payload, 0, payload.length);
                    case MessageType.STDERR -> listener.output(true, payload, 0, payload.length);
                    case MessageType.PROC_EXITED -> {
                        return (int) frame.fields().getLong(Tag.EXIT_CODE, -1);
                    }
                    case MessageType.LIST_END -> {
                        return null;
                    }
                    default -> throw unexpected(frame);
                }
            }
        }
    }

    /** Signals a background process's whole session: {@code TERM} or {@code KILL}. */
    public void killProcess(String name, String signal, Duration deadline) throws IOException {
        call(MessageType.PROC_KILL, Fields.writer().putString(Tag.NAME, name).putString(Tag.SIGNAL, signal), deadline);
    }

    // Tunnels

    /**
     * Connects to {@code port} on the sandbox's loopback: the answer is a connection that carries that TCP
     * connection's bytes both ways, until either side closes. No deadline once it is open.
     *
     * @throws AgentException {@code CONNECT_REFUSED} when nothing accepts connections on the port
     */
    public SocketChannel tunnel(int port, Duration connectDeadline) throws IOException {
        PendingTunnel tunnel = requestTunnel(port);
        try {
            tunnel.await(connectDeadline);
            return tunnel.channel();
        } catch (IOException | RuntimeException e) {
            tunnel.channel().close();
            throw e;
        }
    }

    /**
     * Asks for a tunnel to {@code port} without waiting for the answer: bytes for the port may be written to its
     * channel at once (the agent reads them once it is connected), which saves a round trip per connection.
     */
    public PendingTunnel requestTunnel(int port) throws IOException {
        SocketChannel channel = open();
        try {
            FrameIO.write(
                    channel,
                    MessageType.TUNNEL,
                    Fields.writer().putLong(Tag.PORT, port).toBytes());
            return new PendingTunnel(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** A tunnel asked for: its channel, whose first read must be the agent's answer ({@link #await}). */
    public static final class PendingTunnel {
        private final SocketChannel channel;

        private PendingTunnel(SocketChannel channel) {
            this.channel = channel;
        }

        public SocketChannel channel() {
            return channel;
        }

        /**
         * Waits for the agent's answer; what the channel reads after it is the port's.
         *
         * @throws AgentException {@code CONNECT_REFUSED} when nothing accepts connections on the port
         */
        public void await(Duration deadline) throws IOException {
            try (Watchdog ignored = new Watchdog(channel, deadline)) {
                expect(channel, MessageType.OK);
            }
        }
    }

    private Fields call(byte type, Fields.Writer request, Duration deadline) throws IOException {
        return call(type, request, MessageType.OK, deadline);
    }

    /** One request, one answer of the expected type (an ERROR answer becomes an {@link AgentException}). */
    private Fields call(byte type, Fields.Writer request, byte answer, Duration deadline) throws IOException {
        try (SocketChannel channel = open();
                Watchdog ignored = new Watchdog(channel, deadline)) {
            FrameIO.write(channel, type, request.toBytes());
            return expect(channel, answer);
        }
    }

    private List<Fields> entries(byte type, Fields.Writer request, Duration deadline) throws IOException {
        List<Fields> entries = new ArrayList<>();
        try (SocketChannel channel = open();
                Watchdog ignored = new Watchdog(channel, deadline)) {
            FrameIO.write(channel, type, request.toBytes());
            while (true) {
                Frame frame = expectFrame(channel);
                if (frame.type() == MessageType.LIST_END) {
                    return entries;
                }
                if (frame.type() != MessageType.ENTRY) {
                    throw unexpected(frame);
                }
                entries.add(frame.fields());
            }
        }
    }

    private static Fields expect(SocketChannel channel, byte type) throws IOException {
        Frame frame = expectFrame(channel);
        if (frame.type() != type) {
            throw unexpected(frame);
        }
        return frame.fields();
    }

    private SocketChannel open() throws IOException {
        return SocketChannel.open(UnixDomainSocketAddress.of(socket));
    }

    private static Frame expectFrame(SocketChannel channel) throws IOException {
        Frame frame = FrameIO.read(channel);
        if (frame == null) {
            throw new EOFException("agent closed the connection without an answer");
        }
        return frame;
    }

    private static IOException unexpected(Frame frame) throws IOException {
        if (frame.type() == MessageType.ERROR) {
            Fields f = frame.fields();
            String code = f.getString(Tag.ERROR_CODE);
            String message = f.getString(Tag.ERROR_MESSAGE);
            return new AgentException(code == null ? "UNKNOWN" : code, message == null ? "" : message);
        }
        return new IOException("unexpected frame type " + frame.type() + " from the agent");
    }

    /** Closes the channel if the call is still running when its deadline passes. */
    private static final class Watchdog implements AutoCloseable {
        private final ScheduledFuture<?> task;

        Watchdog(SocketChannel channel, Duration deadline) {
            task = WATCHDOG.schedule(
                    () -> {
                        try {
                            channel.close();
                        } catch (IOException ignored) {
                            // already closed
                        }
                    },
                    deadline.toMillis(),
                    TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            task.cancel(false);
        }
    }
}
