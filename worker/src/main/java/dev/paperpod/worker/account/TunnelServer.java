package dev.paperpod.worker.account;

import dev.paperpod.agent.client.AgentClient;
import dev.paperpod.agent.client.AgentException;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.worker.sandbox.AccountSandboxes;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The api's byte path to the account sandboxes this worker hosts, a TCP listener whose every connection starts with
 * one line naming this run's key: files and process logs streamed ({@code WRITE}, {@code READ}, {@code LOGS}: {@link
 * SandboxStreams}), and connections to their ports (preview URLs, {@code TUNNEL}, below). A tunnel's line names a
 * sandbox and a port, is answered in one line, and the connection then carries the bytes of a connection to that
 * port, which the sandbox's agent makes on the sandbox's own loopback (the agent's {@code TUNNEL}). The sandbox needs
 * no network for it, and no container port is published. While a connection lasts, it holds its sandbox: a sandbox
 * with a live preview does not expire idle.
 *
 * <pre>
 * → TUNNEL &lt;key&gt; &lt;sandboxId&gt; &lt;port&gt;\n
 * ← OK\n | GONE &lt;why&gt;\n | REFUSED &lt;why&gt;\n | BAD &lt;why&gt;\n
 * </pre>
 *
 * The client may send the connection's first bytes right after its line, before the answer: they reach the port
 * once the tunnel is open, and are dropped when it is refused.
 */
public final class TunnelServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(TunnelServer.class);
    private static final int MAX_LINE = 16 * 1024;
    private static final int HEADER_TIMEOUT_MS = 5_000;
    private static final Duration CONNECT_DEADLINE = Duration.ofSeconds(10);

    private final AccountSandboxes sandboxes;
    private final Map<String, TunnelRoute> routes;
    private final SandboxStreams streams;
    private final String host;
    private final int requestedPort;
    private final String advertisedHost;
    private final byte[] key;
    private final AtomicInteger threadCount = new AtomicInteger();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tunnel-" + threadCount.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private volatile @Nullable ServerSocket server;

    /**
     * @param host the address to listen on
     * @param port 0 for any free port
     * @param advertisedHost how the api reaches {@code host}; null when by {@code host} itself
     */
    public TunnelServer(
            AccountSandboxes sandboxes,
            String host,
            int port,
            @Nullable String advertisedHost,
            List<TunnelRoute> routes) {
        this.sandboxes = sandboxes;
        this.routes = routes.stream().collect(Collectors.toUnmodifiableMap(TunnelRoute::verb, r -> r));
        this.streams = new SandboxStreams(sandboxes);
        this.host = host;
        this.requestedPort = port;
        this.advertisedHost = advertisedHost == null || advertisedHost.isBlank() ? host : advertisedHost;
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        this.key = HexFormat.of().formatHex(secret).getBytes(StandardCharsets.US_ASCII);
    }

    /** What heartbeats tell the api, once listening; null before. */
    public WorkerHeartbeat.@Nullable Tunnel tunnel() {
        ServerSocket s = server;
        if (s == null) {
            return null;
        }
        return new WorkerHeartbeat.Tunnel(
                advertisedHost + ":" + s.getLocalPort(), new String(key, StandardCharsets.US_ASCII));
    }

    @Override
    public void start() {
        ServerSocket s;
        try {
            s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, requestedPort), 128);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for tunnels on " + host + ":" + requestedPort, e);
        }
        server = s;
        threads.execute(() -> accept(s));
        log.info("Tunnels to account sandboxes on {}:{}", host, s.getLocalPort());
    }

    /**
     * Leader and followers: the thread that accepts a connection serves it, and hands accepting on to another, so a
     * connection's first bytes are read by the thread that is already awake.
     */
    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                if (!s.isClosed()) {
                    log.warn("Accepting a tunnel failed: {}", e.toString());
                }
                continue;
            }
            try {
                threads.execute(() -> accept(s));
            } catch (RejectedExecutionException e) {
                closeQuietly(client); // stopping
                return;
            }
            serve(client);
            return;
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setTcpNoDelay(true);
            client.setSoTimeout(HEADER_TIMEOUT_MS);
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            String[] request = readLine(in).split(" ");
            if (request.length < 2 || !MessageDigest.isEqual(key, request[1].getBytes(StandardCharsets.US_ASCII))) {
                answer(out, "BAD wrong key");
                return;
            }
            switch (request[0]) {
                case "WRITE" -> {
                    client.setSoTimeout(0);
                    streams.write(request, in, out);
                    return;
                }
                case "READ" -> {
                    streams.read(request, out);
                    return;
                }
                case "LOGS" -> {
                    client.setSoTimeout(0);
                    streams.logs(request, client, out);
                    return;
                }
                case "TUNNEL" -> {
                    // below
                }
                default -> {
                    TunnelRoute route = routes.get(request[0]);
                    if (route == null) {
                        answer(out, "BAD expected TUNNEL, WRITE, READ, LOGS or " + String.join(", ", routes.keySet()));
                        return;
                    }
                    client.setSoTimeout(0);
                    route.serve(request, client, in, out);
                    return;
                }
            }
            if (request.length != 4) {
                answer(out, "BAD expected 'TUNNEL <key> <sandboxId> <port>'");
                return;
            }
            int port;
            try {
                port = Integer.parseInt(request[3]);
            } catch (NumberFormatException e) {
                answer(out, "BAD port '" + request[3] + "' is not a number");
                return;
            }
            AccountSandboxes.Hosted hosted = sandboxes.hold(request[2]);
            if (hosted == null) {
                answer(out, "GONE sandbox " + request[2] + " is not on this worker");
                return;
            }
            try {
                carry(client, in, out, hosted, port);
            } finally {
                hosted.release();
            }
        } catch (IOException e) {
            log.debug("Tunnel ended: {}", e.toString());
        }
    }

    /**
     * Asks the agent for the tunnel and hands the client's bytes on at once, without waiting for its answer (the
     * agent reads them once connected): a round trip less per connection. What comes back is the agent's answer
     * first, then the port's bytes.
     */
    private void carry(Socket client, InputStream in, OutputStream out, AccountSandboxes.Hosted hosted, int port)
            throws IOException {
        AgentClient.PendingTunnel pending;
        try {
            pending = hosted.sandbox().agent().requestTunnel(port);
        } catch (IOException | IllegalStateException e) {
            answer(out, "GONE the sandbox's agent does not answer: " + e.getMessage());
            return;
        }
        SocketChannel agent = pending.channel();
        try (agent) {
            client.setSoTimeout(0);
            // what came with the line (a request's head, mostly) goes on from this thread, which is awake already
            IOException unsent = null;
            int ready = in.available();
            if (ready > 0) {
                byte[] first = new byte[Math.min(ready, 64 * 1024)];
                int n = in.read(first);
                try {
                    writeFully(agent, ByteBuffer.wrap(first, 0, n));
                } catch (IOException e) {
                    unsent = e; // the agent may have refused and closed already: its answer says why
                }
            }
            try {
                pending.await(CONNECT_DEADLINE);
            } catch (AgentException e) {
                answer(out, (e.code().equals("CONNECT_REFUSED") ? "REFUSED " : "BAD ") + e.getMessage());
                closeQuietly(client);
                return;
            } catch (IOException e) {
                answer(out, "GONE the sandbox's agent does not answer: " + e.getMessage());
                closeQuietly(client);
                return;
            }
            if (unsent != null) {
                throw unsent;
            }
            // the rest only once the port took the connection (the api sends nothing more before the answer): a
            // refusal closes the agent's side, and a pump failing on it then must not close the api's before it
            // hears why
            Future<?> up = threads.submit(() -> {
                try {
                    pump(in, agent);
                    agent.shutdownOutput();
                } catch (IOException e) {
                    closeQuietly(client);
                }
                return null;
            });
            answer(out, "OK");
            try {
                pump(agent, out);
                client.shutdownOutput();
            } catch (SocketException e) {
                closeQuietly(client); // the api went away: the other direction ends too
            }
            try {
                up.get();
            } catch (Exception e) {
                log.debug("Tunnel's upstream ended: {}", e.toString());
            }
        }
    }

    // The channel's own read and write, not Channels' streams: before JDK 21 those two share one lock, so a read
    // that waits would hold every write up.

    private static void pump(InputStream from, SocketChannel to) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = from.read(buffer)) >= 0; ) {
            writeFully(to, ByteBuffer.wrap(buffer, 0, n));
        }
    }

    private static void writeFully(SocketChannel to, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            to.write(bytes);
        }
    }

    private static void pump(SocketChannel from, OutputStream to) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        while (from.read(buffer) >= 0) {
            to.write(buffer.array(), 0, buffer.position());
            to.flush();
            buffer.clear();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        byte[] line = new byte[MAX_LINE];
        int n = 0;
        while (true) {
            int b = in.read();
            if (b < 0 || b == '\n') {
                return new String(line, 0, n, StandardCharsets.US_ASCII);
            }
            if (n == MAX_LINE) {
                return "";
            }
            line[n++] = (byte) b;
        }
    }

    static void answer(OutputStream out, String line) throws IOException {
        out.write((line.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closed already
        }
    }

    @Override
    public void stop() {
        ServerSocket s = server;
        server = null;
        if (s != null) {
            closeQuietly(s);
        }
        threads.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }
}
