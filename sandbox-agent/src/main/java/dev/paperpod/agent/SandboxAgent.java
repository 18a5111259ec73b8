package dev.paperpod.agent;

import dev.paperpod.agent.protocol.Fields;
import dev.paperpod.agent.protocol.Frame;
import dev.paperpod.agent.protocol.FrameIO;
import dev.paperpod.agent.protocol.FrameWriter;
import dev.paperpod.agent.protocol.MessageType;
import dev.paperpod.agent.protocol.ProtocolException;
import dev.paperpod.agent.protocol.Tag;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Entry point: {@code java -cp agent.jar dev.paperpod.agent.SandboxAgent <socket-path>}. Serves one connection
 * per request, each on its own thread; a request that fails answers {@link MessageType#ERROR} and never takes
 * the agent down.
 */
public final class SandboxAgent implements AutoCloseable {

    /** Bumped when a message changes meaning; fields may be added without a bump. */
    public static final int PROTOCOL_VERSION = 1;

    private final Path socket;
    private final long startedAt = System.nanoTime();
    private final AgentSettings settings;
    private final Sessions sessions = new Sessions();
    private final BackgroundProcesses background;
    private final ServerSocketChannel server;

    SandboxAgent(Path socket, AgentSettings settings) throws IOException {
        this.socket = socket;
        this.settings = settings;
        this.background = new BackgroundProcesses(settings, sessions);
        Files.createDirectories(socket.toAbsolutePath().getParent());
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        // The worker connects from the host, possibly as another uid once user namespaces map ours.
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: SandboxAgent <socket-path>");
            System.exit(2);
        }
        new SandboxAgent(Path.of(args[0]), AgentSettings.fromEnvironment(System.getenv())).serve();
    }

    /** Accepts connections until {@link #close()}. */
    void serve() throws IOException {
        System.out.println("paperpod agent ready on " + socket);
        try {
            while (true) {
                SocketChannel client = server.accept();
                try {
                    Helpers.start(() -> handle(client));
                } catch (OutOfMemoryError e) {
                    // No thread to be had (a job exhausted the pids limit): refuse this one, keep serving.
                    client.close();
                }
            }
        } catch (ClosedChannelException e) {
            // closed: stop serving
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }

    private void handle(SocketChannel client) {
        try (client) {
            serveRequest(client);
        } catch (IOException e) {
            // closing failed: nothing left to do
        }
    }

    private void serveRequest(SocketChannel client) {
        FrameWriter out = new FrameWriter(client);
        // Errors are answered while the connection is still open (a try-with-resources catch would run after close).
        try {
            Frame request = FrameIO.read(client);
            if (request == null) {
                return;
            }
            switch (request.type()) {
                case MessageType.PING ->
                    out.write(
                            MessageType.PONG,
                            Fields.writer()
                                    .putLong(Tag.VERSION, PROTOCOL_VERSION)
                                    .putLong(Tag.PID, ProcessHandle.current().pid())
                                    .putLong(Tag.UPTIME_MS, (System.nanoTime() - startedAt) / 1_000_000));
                case MessageType.EXEC -> new ExecSession(client, out, request.fields(), settings, sessions).run();
                case MessageType.RESET -> {
                    background.clear();
                    out.write(MessageType.RESET_DONE, new Reset(settings, sessions).run());
                }
                case MessageType.FILE_WRITE,
                        MessageType.FILE_READ,
                        MessageType.FILE_LIST,
                        MessageType.MKDIR,
                        MessageType.DELETE,
                        MessageType.MOVE -> new FileOps(client, out, settings).handle(request);
                case MessageType.PROC_START -> background.start(request.fields(), out);
                case MessageType.PROC_LIST -> background.list(out);
                case MessageType.PROC_LOGS -> background.logs(request.fields(), client, out);
                case MessageType.PROC_KILL -> background.kill(request.fields(), out);
                default -> error(out, "UNKNOWN_TYPE", "unknown request type " + request.type());
            }
        } catch (ProtocolException e) {
            error(out, "BAD_FRAME", e.getMessage());
        } catch (IOException e) {
            // The worker went away; nothing to answer.
        } catch (RuntimeException | Error e) {
            error(out, "AGENT_ERROR", e.toString());
        }
    }

    static void error(FrameWriter out, String code, String message) {
        try {
            out.write(
                    MessageType.ERROR,
                    Fields.writer().putString(Tag.ERROR_CODE, code).putString(Tag.ERROR_MESSAGE, message));
        } catch (IOException ignored) {
            // The connection is gone; the worker sees that on its side.
        }
    }
}
