package dev.paperpod.worker.browser;

import dev.paperpod.worker.account.TunnelRoute;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of the account's own (Playwright's {@code chromium.connect}, in any language) driving a session's browser,
 * through the api and this worker's tunnel listener:
 *
 * <pre>
 * → BROWSER &lt;key&gt; &lt;accountId&gt; &lt;sessionId&gt;\n  then the client's WebSocket request head
 * ← OK\n | GONE &lt;why&gt;\n | BAD &lt;why&gt;\n          then the browser server's answer and the WebSocket
 * </pre>
 *
 * The request line's path becomes the browser server's secret one: the client never learns it, and the connection
 * reaches nothing but that server. While connected, the session does not idle out.
 */
final class BrowserConnect implements TunnelRoute {

    private static final Logger log = LoggerFactory.getLogger(BrowserConnect.class);
    private static final int MAX_HEAD = 64 * 1024;

    private final BrowserSessions sessions;

    BrowserConnect(BrowserSessions sessions) {
        this.sessions = sessions;
    }

    @Override
    public String verb() {
        return "BROWSER";
    }

    @Override
    public void serve(String[] line, Socket client, InputStream in, OutputStream out) throws IOException {
        if (line.length != 4) {
            answer(out, "BAD expected 'BROWSER <key> <accountId> <sessionId>'");
            return;
        }
        UUID account;
        try {
            account = UUID.fromString(line[2]);
        } catch (IllegalArgumentException e) {
            answer(out, "BAD '" + line[2] + "' is not an account");
            return;
        }
        BrowserSessions.Session session = sessions.connect(line[3], account);
        if (session == null) {
            answer(out, "GONE browser session " + line[3] + " is not on this worker");
            return;
        }
        try {
            URI server = URI.create(session.pooled.container().endpoint());
            byte[] head = rewritten(readHead(in), server.getPath());
            try (Socket browser = new Socket()) {
                browser.setTcpNoDelay(true);
                browser.connect(new InetSocketAddress(server.getHost(), server.getPort()), 5_000);
                answer(out, "OK");
                browser.getOutputStream().write(head);
                browser.getOutputStream().flush();
                Thread up = new Thread(
                        () -> {
                            try {
                                in.transferTo(browser.getOutputStream());
                                browser.shutdownOutput();
                            } catch (IOException e) {
                                closeQuietly(browser);
                            }
                        },
                        "browser-connect-up");
                up.setDaemon(true);
                up.start();
                try {
                    browser.getInputStream().transferTo(out);
                } catch (IOException e) {
                    log.debug("Session {}'s connection ended: {}", session.id, e.toString());
                } finally {
                    closeQuietly(client);
                    up.interrupt();
                }
            }
        } finally {
            sessions.disconnected(session);
        }
    }

    /** The request's head, up to and with its blank line. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(1024);
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0 || head.size() >= MAX_HEAD) {
                throw new IOException("the client's request head ended early or ran past " + MAX_HEAD + " bytes");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toByteArray();
    }

    /** The head with its request line's path replaced by the browser server's. */
    static byte[] rewritten(byte[] head, String path) {
        String text = new String(head, StandardCharsets.ISO_8859_1);
        int lineEnd = text.indexOf("\r\n");
        String[] requestLine = text.substring(0, lineEnd).split(" ");
        if (requestLine.length != 3) {
            throw new IllegalArgumentException("not an HTTP request line: " + text.substring(0, lineEnd));
        }
        return (requestLine[0] + " " + path + " " + requestLine[2] + text.substring(lineEnd))
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void answer(OutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed already
        }
    }
}
