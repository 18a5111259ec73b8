package dev.paperpod.worker.account;

import dev.paperpod.agent.client.AgentException;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.worker.sandbox.AccountSandboxes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The api's way to a port inside an account sandbox this worker hosts (preview URLs): a TCP listener whose every
 * connection names this run's key, a sandbox and a port in one line, is answered in one line, and then carries the
 * bytes of a connection to that port, which the sandbox's agent makes on the sandbox's own loopback (the agent's
 * {@code TUNNEL}). The sandbox needs no network for it, and no container port is published. While a connection
 * lasts, it holds its sandbox: a sandbox with a live preview does not expire idle.
 *
 * <pre>
 * → TUNNEL &lt;key&gt; &lt;sandboxId&gt; &lt;port&gt;\n
 * ← OK\n | GONE &lt;why&gt;\n | REFUSED &lt;why&gt;\n | BAD &lt;why&gt;\n
 * </pre>
 */
public final class TunnelServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(TunnelServer.class);
    private static final int MAX_LINE = 256;
    private static final int HEADER_TIMEOUT_MS = 5_000;
    private static final Duration CONNECT_DEADLINE = Duration.ofSeconds(10);

    private final AccountSandboxes sandboxes;
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
    public TunnelServer(AccountSandboxes sandboxes, String host, int port, @Nullable String advertisedHost) {
        this.sandboxes = sandboxes;
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

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket client = s.accept();
                threads.execute(() -> serve(client));
            } catch (IOException e) {
                if (!s.isClosed()) {
                    log.warn("Accepting a tunnel failed: {}", e.toString());
                }
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setTcpNoDelay(true);
            client.setSoTimeout(HEADER_TIMEOUT_MS);
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            String[] request = readLine(in).split(" ");
            if (request.length != 4 || !request[0].equals("TUNNEL")) {
                answer(out, "BAD expected 'TUNNEL <key> <sandboxId> <port>'");
                return;
            }
            if (!MessageDigest.isEqual(key, request[1].getBytes(StandardCharsets.US_ASCII))) {
                answer(out, "BAD wrong key");
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

    private void carry(Socket client, InputStream in, OutputStream out, AccountSandboxes.Hosted hosted, int port)
            throws IOException {
        SocketChannel agent;
        try {
            agent = hosted.sandbox().agent().tunnel(port, CONNECT_DEADLINE);
        } catch (AgentException e) {
            answer(out, (e.code().equals("CONNECT_REFUSED") ? "REFUSED " : "BAD ") + e.getMessage());
            return;
        } catch (IOException | IllegalStateException e) {
            answer(out, "GONE the sandbox's agent does not answer: " + e.getMessage());
            return;
        }
        try (agent) {
            answer(out, "OK");
            client.setSoTimeout(0);
            Future<?> up = threads.submit(() -> {
                try {
                    in.transferTo(Channels.newOutputStream(agent));
                    agent.shutdownOutput();
                } catch (IOException e) {
                    closeQuietly(client);
                }
                return null;
            });
            try {
                Channels.newInputStream(agent).transferTo(out);
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

    private static void answer(OutputStream out, String line) throws IOException {
        out.write((line.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
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

    private static void closeQuietly(ServerSocket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closed already
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }
}
