package dev.paperpod.api.browser;

import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.preview.HttpHead;
import dev.paperpod.api.preview.TunnelUpgrade;
import dev.paperpod.api.sandbox.WorkerTunnels;
import dev.paperpod.api.web.ApiException;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Locale;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /browser/sessions/{id}/connect}: a WebSocket to the session's browser server, for the account's own
 * Playwright client ({@code chromium.connect(url, {headers: {Authorization: "Bearer …"}})} in Node, Python or Java).
 * The api checks the token and the session, then hands the upgrade to the session's worker through its tunnel
 * listener, which puts the browser server's secret path in; from the server's {@code 101} on, bytes go both ways.
 */
@RestController
class BrowserConnectController {

    /** Hop-by-hop headers and the caller's credentials: never sent on to the browser. */
    private static final Set<String> NOT_FORWARDED =
            Set.of("authorization", "cookie", "connection", "upgrade", "keep-alive", "proxy-authorization", "te");

    private final BrowserSessions sessions;
    private final ConnectedSessions connected;

    BrowserConnectController(BrowserSessions sessions, ConnectedSessions connected) {
        this.sessions = sessions;
        this.connected = connected;
    }

    @GetMapping("/browser/sessions/{sessionId}/connect")
    void connect(
            Caller caller, @PathVariable String sessionId, HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            throw new ApiException(
                    HttpStatus.UPGRADE_REQUIRED,
                    "UPGRADE_REQUIRED",
                    "connect is a WebSocket for a Playwright client",
                    "connect with Playwright: chromium.connect(\"ws://…/browser/sessions/" + sessionId
                            + "/connect\", {headers: {Authorization: \"Bearer <token>\"}})",
                    null);
        }
        BrowserSessions.Reachable reachable = sessions.reach(caller, sessionId);
        Socket socket = WorkerTunnels.connect(
                reachable.tunnel(), "BROWSER " + caller.accountId() + " " + sessionId, head(request));
        boolean upgraded = false;
        try {
            InputStream fromBrowser = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            String answer = WorkerTunnels.readLine(fromBrowser);
            if (!answer.equals("OK")) {
                throw BrowserSessions.gone(sessionId, answer.substring(answer.indexOf(' ') + 1));
            }
            HttpHead head = HttpHead.read(fromBrowser);
            response.setStatus(head.status());
            for (HttpHead.Header h : head.headers()) {
                response.addHeader(h.name(), h.value());
            }
            if (head.status() == 101) {
                TunnelUpgrade pipe = request.upgrade(TunnelUpgrade.class);
                pipe.attach(socket, fromBrowser, connected.connected(reachable.session()));
                upgraded = true;
            }
        } catch (IOException e) {
            throw new ApiException(
                    HttpStatus.BAD_GATEWAY,
                    "BROWSER_UNREACHABLE",
                    "the session's browser did not take the connection: " + e.getMessage(),
                    "retry; if it persists, release the session and acquire another",
                    null);
        } finally {
            if (!upgraded) {
                socket.close();
            }
        }
    }

    /** The WebSocket request for the browser server: the client's own headers, bar credentials and hop-by-hop ones. */
    private static byte[] head(HttpServletRequest request) {
        StringBuilder head = new StringBuilder(512).append("GET / HTTP/1.1\r\n");
        for (String name : Collections.list(request.getHeaderNames())) {
            if (NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                continue;
            }
            for (String value : Collections.list(request.getHeaders(name))) {
                head.append(name).append(": ").append(value).append("\r\n");
            }
        }
        head.append("Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
        return head.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
