package dev.paperpod.api.preview;

import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A client's connection after the server in the sandbox (or a session's browser) switched protocols (a WebSocket,
 * mostly): bytes both ways
 * between the client and the tunnel, as they come, until either side closes. The container makes this handler;
 * {@link #attach} hands it the tunnel before the container calls {@link #init}.
 */
public class TunnelUpgrade implements HttpUpgradeHandler {

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ExecutorService PIPES = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "preview-pipe-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private @Nullable Socket tunnel;
    private @Nullable InputStream fromServer;
    private @Nullable WebConnection client;
    private final AtomicBoolean closed = new AtomicBoolean();
    private Runnable onClose = () -> {};

    public TunnelUpgrade() {}

    /** @param fromServer the tunnel's input, with what was read past the server's answer head still in it */
    public void attach(Socket tunnel, InputStream fromServer) {
        attach(tunnel, fromServer, () -> {});
    }

    /** The same, with what to do once the pipe has ended (either side closed). */
    public void attach(Socket tunnel, InputStream fromServer, Runnable onClose) {
        this.tunnel = tunnel;
        this.fromServer = fromServer;
        this.onClose = onClose;
    }

    @Override
    public void init(WebConnection connection) {
        Socket socket = tunnel;
        InputStream down = fromServer;
        if (socket == null || down == null) {
            throw new IllegalStateException("an upgrade without its tunnel");
        }
        client = connection;
        PIPES.execute(() -> pipe(() -> connection.getInputStream(), () -> socket.getOutputStream(), socket));
        PIPES.execute(() -> pipe(() -> down, () -> connection.getOutputStream(), socket));
    }

    private interface Stream<T> {
        T open() throws IOException;
    }

    private void pipe(Stream<InputStream> from, Stream<OutputStream> to, Socket socket) {
        try {
            InputStream in = from.open();
            OutputStream out = to.open();
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // either side went away: the other one ends with it
        } finally {
            destroy();
        }
    }

    @Override
    public void destroy() {
        if (closed.compareAndSet(false, true)) {
            onClose.run();
        }
        Socket socket = tunnel;
        WebConnection connection = client;
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException ignored) {
            // closed already
        }
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (Exception ignored) {
            // closed already
        }
    }
}
