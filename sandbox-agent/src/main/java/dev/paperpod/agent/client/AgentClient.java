package dev.paperpod.agent.client;

import dev.paperpod.agent.protocol.Fields;
import dev.paperpod.agent.protocol.Frame;
import dev.paperpod.agent.protocol.FrameIO;
import dev.paperpod.agent.protocol.MessageType;
import dev.paperpod.agent.protocol.Tag;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

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
        try (SocketChannel channel = open();
                Watchdog ignored = new Watchdog(channel, deadline)) {
            FrameIO.write(channel, MessageType.PING, new byte[0]);
            Frame answer = expectFrame(channel);
            if (answer.type() != MessageType.PONG) {
                throw unexpected(answer);
            }
            return answer.fields().getLong(Tag.VERSION, 0);
        }
    }

    /** Makes the sandbox fit for the same account's next job; see {@link ResetOutcome#verified()}. */
    public ResetOutcome reset(Duration deadline) throws IOException {
        try (SocketChannel channel = open();
                Watchdog ignored = new Watchdog(channel, deadline)) {
            FrameIO.write(channel, MessageType.RESET, new byte[0]);
            Frame answer = expectFrame(channel);
            if (answer.type() != MessageType.RESET_DONE) {
                throw unexpected(answer);
            }
            Fields f = answer.fields();
            return new ResetOutcome(
                    f.getLong(Tag.KILLED, 0), f.getBool(Tag.VERIFIED, false), f.getString(Tag.ERROR_MESSAGE));
        }
    }

    /**
     * Runs a command, handing output to {@code listener} as it comes.
     *
     * @param deadline when to give up on the agent altogether: the command's own timeout plus a margin
     * @throws AgentException when the agent refuses the request
     * @throws IOException when the agent cannot be reached or does not answer by the deadline
     */
    public ExecOutcome exec(ExecCommand command, OutputListener listener, Duration deadline) throws IOException {
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
            FrameIO.write(channel, MessageType.EXEC, request.toBytes());
            while (true) {
                Frame frame;
                try {
                    frame = expectFrame(channel);
                } catch (AsynchronousCloseException e) {
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
                                f.getLong(Tag.WALL_MS, 0));
                    }
                    default -> throw unexpected(frame);
                }
            }
        }
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
