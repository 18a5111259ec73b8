package dev.paperpod.worker.browser;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The browsers' way to preview URLs ({@code http://8080-sbx-….localhost:8080/}, or {@code /preview/sbx-…/8080/}):
 * a Unix socket mounted into every browser container, where the container's egress proxy sends requests for preview
 * hosts, and from which each request goes to the api's preview proxy ({@code paperpod.worker.browser.preview-upstream}),
 * as any client's would. The api then checks the preview (public, or its token) and tunnels to the sandbox.
 *
 * <p>Only preview requests pass, one per connection ({@code Connection: close}, so nothing after the first reaches
 * the api): whatever else a page sends here is refused with {@code X-PaperPod-Egress}, as the egress proxy refuses.
 */
final class PreviewRelay implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PreviewRelay.class);
    private static final int MAX_HEAD = 32 * 1024;
    /** The socket's directory inside browser containers. */
    static final String MOUNT = "/run/paperpod-preview";

    static final String SOCKET = "preview.sock";

    private static final Pattern PATH = Pattern.compile("/preview/sbx-[0-9a-f-]{12}/[0-9]{1,5}(/.*)?");

    private final Path dir;
    private final String upstreamHost;
    private final int upstreamPort;
    private final Pattern host;
    private final AtomicInteger threadCount = new AtomicInteger();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "preview-relay-" + threadCount.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private @Nullable ServerSocketChannel server;

    /**
     * @param dir where the socket is made; the directory browser containers mount
     * @param upstream {@code host:port} of the api's preview proxy
     * @param domain the host preview URLs are under ({@code paperpod.api.preview-domain}'s, {@code localhost} by
     *     default)
     */
    PreviewRelay(Path dir, String upstream, String domain) {
        this.dir = dir;
        int colon = upstream.lastIndexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException(
                    "paperpod.worker.browser.preview-upstream must be host:port, not " + upstream);
        }
        this.upstreamHost = upstream.substring(0, colon);
        this.upstreamPort = Integer.parseInt(upstream.substring(colon + 1));
        this.host = Pattern.compile(
                "[0-9]{1,5}-sbx-[0-9a-f-]{12}\\." + Pattern.quote(domain.toLowerCase(Locale.ROOT)) + "(:[0-9]{1,5})?");
    }

    /** The directory to mount into browser containers at {@link #MOUNT}. */
    Path dir() {
        return dir;
    }

    void start() {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path socket = dir.resolve(SOCKET);
            Files.deleteIfExists(socket);
            ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            s.bind(UnixDomainSocketAddress.of(socket));
            // the browsers' users are unprivileged uids of their user namespaces
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            server = s;
            threads.execute(() -> accept(s));
            log.info("Browsers reach preview URLs through {} → {}:{}", socket, upstreamHost, upstreamPort);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the browsers' preview socket in " + dir, e);
        }
    }

    private void accept(ServerSocketChannel s) {
        while (s.isOpen()) {
            SocketChannel client;
            try {
                client = s.accept();
            } catch (IOException e) {
                if (s.isOpen()) {
                    log.warn("Accepting a browser's preview request failed: {}", e.toString());
                }
                continue;
            }
            try {
                threads.execute(() -> serve(client));
            } catch (RejectedExecutionException e) {
                closeQuietly(client);
                return;
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            ByteBuffer buffer = ByteBuffer.allocate(MAX_HEAD);
            int end = -1;
            while (end < 0) {
                if (!buffer.hasRemaining() || client.read(buffer) < 0) {
                    return; // a head too long, or the page gave up
                }
                end = headEnd(buffer);
            }
            String head = new String(buffer.array(), 0, end, StandardCharsets.ISO_8859_1);
            String refusal = refusal(head);
            if (refusal != null) {
                write(client, refused(refusal));
                return;
            }
            try (Socket api = new Socket()) {
                api.connect(new InetSocketAddress(upstreamHost, upstreamPort), 5_000);
                api.setTcpNoDelay(true);
                OutputStream toApi = api.getOutputStream();
                toApi.write(rewritten(head).getBytes(StandardCharsets.ISO_8859_1));
                toApi.write(buffer.array(), end + 4, buffer.position() - end - 4);
                toApi.flush();
                InputStream fromApi = api.getInputStream();
                threads.execute(() -> answers(fromApi, client));
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                while (client.read(chunk) >= 0) {
                    toApi.write(chunk.array(), 0, chunk.position());
                    toApi.flush();
                    chunk.clear();
                }
                api.shutdownOutput();
                // the answer's thread closes the page's side once the api has said all
                synchronized (client) {
                    while (client.isOpen()) {
                        client.wait();
                    }
                }
            }
        } catch (IOException e) {
            log.debug("A browser's preview request broke off: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Copies the api's answer to the page until the api closes (it does after one answer, or an upgrade's end). */
    private static void answers(InputStream fromApi, SocketChannel client) {
        byte[] chunk = new byte[64 * 1024];
        try {
            for (int n; (n = fromApi.read(chunk)) >= 0; ) {
                write(client, ByteBuffer.wrap(chunk, 0, n));
            }
        } catch (IOException e) {
            log.debug("A preview answer broke off: {}", e.toString());
        } finally {
            synchronized (client) {
                closeQuietly(client);
                client.notifyAll();
            }
        }
    }

    /** Why the request is not for a preview, or null when it is. */
    @Nullable
    String refusal(String head) {
        String[] lines = head.split("\r\n");
        String[] request = lines[0].split(" ");
        if (request.length != 3) {
            return "not an HTTP request";
        }
        String target = request[1];
        String hostHeader = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().equalsIgnoreCase("host")) {
                if (hostHeader != null) {
                    return "a request with two Host headers";
                }
                hostHeader = lines[i].substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            }
        }
        if (hostHeader != null && host.matcher(hostHeader).matches() && target.startsWith("/")) {
            return null;
        }
        if (PATH.matcher(target).matches()) {
            return null;
        }
        return (hostHeader == null ? "a request without a host" : hostHeader + target)
                + " is PaperPod's own, not a preview URL";
    }

    /** The answer to what may not pass, as the egress proxy answers (a page with a body, which Chromium shows). */
    private static byte[] refused(String why) {
        String reason = why.replaceAll("[\r\n<&]", " ");
        byte[] body = ("<!doctype html><title>403</title><p>PaperPod: refused " + reason + "</p>")
                .getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 403 Forbidden\r\nContent-Type: text/html; charset=utf-8\r\nX-PaperPod-Egress: refused "
                + reason + "\r\nContent-Length: " + body.length
                + "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
        byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = Arrays.copyOf(bytes, bytes.length + body.length);
        System.arraycopy(body, 0, all, bytes.length, body.length);
        return all;
    }

    /** The head with PaperPod's connection rules: this request only. */
    static String rewritten(String head) {
        String[] lines = head.split("\r\n");
        List<String> kept = new ArrayList<>(lines.length + 1);
        kept.add(lines[0]);
        for (int i = 1; i < lines.length; i++) {
            String name = lines[i].contains(":")
                    ? lines[i].substring(0, lines[i].indexOf(':')).trim().toLowerCase(Locale.ROOT)
                    : "";
            if (!name.equals("connection") && !name.equals("keep-alive") && !name.equals("proxy-connection")) {
                kept.add(lines[i]);
            }
        }
        kept.add("Connection: close");
        return String.join("\r\n", kept) + "\r\n\r\n";
    }

    /** Where the head ends ({@code \r\n\r\n}) in what was read, or -1. */
    private static int headEnd(ByteBuffer buffer) {
        byte[] b = buffer.array();
        for (int i = 3; i < buffer.position(); i++) {
            if (b[i - 3] == '\r' && b[i - 2] == '\n' && b[i - 1] == '\r' && b[i] == '\n') {
                return i - 3;
            }
        }
        return -1;
    }

    private static void write(SocketChannel channel, byte[] bytes) throws IOException {
        write(channel, ByteBuffer.wrap(bytes));
    }

    private static void write(SocketChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
        ServerSocketChannel s = server;
        if (s != null) {
            try {
                s.close();
                Files.deleteIfExists(dir.resolve(SOCKET));
            } catch (IOException e) {
                log.debug("Closing the preview socket: {}", e.toString());
            }
        }
    }
}
