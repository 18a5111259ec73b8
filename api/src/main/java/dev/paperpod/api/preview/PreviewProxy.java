package dev.paperpod.api.preview;

import dev.paperpod.api.auth.AccountTokens;
import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.sandbox.WorkerTunnels;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.schemas.Wire;
import dev.paperpod.store.PreviewStore;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Serves preview URLs: a request whose host or path names a preview ({@link PreviewAddress}) goes, before any of the
 * api's own handling, through its worker's tunnel to the port inside the sandbox, as HTTP/1.1 with one request per
 * connection; bodies stream both ways as they come (chunked, server-sent events, large uploads and downloads). A
 * WebSocket upgrade the server accepts becomes a byte pipe for as long as either side keeps it; other upgrades
 * (h2c) are not offered to the server.
 *
 * <p>A private preview opens with the account's bearer token, or with the preview's token in the
 * {@code X-PaperPod-Preview-Token} header, or once in the query ({@code ?paperpod_token=}), which a browser is then
 * redirected without and given as a cookie for the preview's host.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 100)
class PreviewProxy extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(PreviewProxy.class);

    static final String TOKEN_HEADER = "X-PaperPod-Preview-Token";
    static final String TOKEN_PARAMETER = "paperpod_token";
    static final String TOKEN_COOKIE = "paperpod_preview_token";

    /** Hop-by-hop headers (RFC 9110 §7.6.1) and the ones this proxy sets itself. */
    private static final Set<String> NOT_FORWARDED = Set.of(
            "connection",
            "keep-alive",
            "proxy-connection",
            "proxy-authorization",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "content-length",
            "expect",
            "x-forwarded-for",
            "x-forwarded-host",
            "x-forwarded-proto");

    private static final Set<String> NOT_ANSWERED =
            Set.of("connection", "keep-alive", "transfer-encoding", "content-length", "trailer");

    private final Previews previews;
    private final AccountTokens tokens;

    PreviewProxy(Previews previews, AccountTokens tokens) {
        this.previews = previews;
        this.tokens = tokens;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        PreviewAddress address = PreviewAddress.of(request, previews.domainHost());
        if (address == null) {
            chain.doFilter(request, response);
            return;
        }
        try {
            if (address.byPath() && !address.target().startsWith("/")) {
                // relative links of the page resolve under the prefix only with its slash
                String query = request.getQueryString() == null ? "" : "?" + request.getQueryString();
                response.setStatus(HttpStatus.PERMANENT_REDIRECT.value());
                response.setHeader("Location", address.prefix() + "/" + query);
                return;
            }
            Previews.Route route = previews.route(address);
            Access access = access(route.preview(), request);
            if (access == Access.BY_QUERY) {
                redirectWithCookie(route.preview(), address, request, response);
                return;
            }
            forward(address, route, access, request, response);
        } catch (ApiException e) {
            if (response.isCommitted()) {
                log.debug("Preview {}-{} failed after its answer began: {}", address.port(), address.sandboxId(), e);
                return;
            }
            response.setStatus(e.status().value());
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            response.getOutputStream().write(Wire.write(e.body()));
        }
    }

    private enum Access {
        PUBLIC,
        BY_ACCOUNT,
        BY_TOKEN,
        BY_QUERY
    }

    private Access access(PreviewStore.Preview preview, HttpServletRequest request) {
        if (!preview.isPrivate()) {
            return Access.PUBLIC;
        }
        String token = preview.token();
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            Optional<Caller> caller = tokens.authenticate(header.substring(7).trim());
            if (caller.isPresent() && caller.get().accountId().equals(preview.accountId())) {
                return Access.BY_ACCOUNT;
            }
        }
        if (matches(token, request.getHeader(TOKEN_HEADER)) || matches(token, cookie(request))) {
            return Access.BY_TOKEN;
        }
        if (matches(token, queryParameter(request, TOKEN_PARAMETER))) {
            return Access.BY_QUERY;
        }
        throw new ApiException(
                HttpStatus.UNAUTHORIZED,
                "PREVIEW_PRIVATE",
                "this preview is private",
                "send the account's 'Authorization: Bearer <token>', or the preview's token (the \"token\" POST"
                        + " /expose answered) in " + TOKEN_HEADER + " or as ?" + TOKEN_PARAMETER + "=",
                null);
    }

    private static boolean matches(@Nullable String token, @Nullable String given) {
        return token != null
                && given != null
                && MessageDigest.isEqual(
                        token.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A parameter of the query string alone: {@code getParameter} would read a form's body too, which must reach the
     * server untouched.
     */
    private static @Nullable String queryParameter(HttpServletRequest request, String name) {
        String query = request.getQueryString();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith(name + "=")) {
                    return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
                }
            }
        }
        return null;
    }

    private static @Nullable String cookie(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (c.getName().equals(TOKEN_COOKIE)) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    private static void redirectWithCookie(
            PreviewStore.Preview preview,
            PreviewAddress address,
            HttpServletRequest request,
            HttpServletResponse response) {
        StringBuilder query = new StringBuilder();
        for (String pair : request.getQueryString().split("&")) {
            if (!pair.startsWith(TOKEN_PARAMETER + "=")) {
                query.append(query.length() == 0 ? "?" : "&").append(pair);
            }
        }
        String path = address.byPath() ? address.prefix() + "/" : "/";
        response.setStatus(HttpStatus.FOUND.value());
        response.setHeader("Location", request.getRequestURI() + query);
        response.addHeader(
                "Set-Cookie",
                TOKEN_COOKIE + "=" + URLEncoder.encode(preview.token(), StandardCharsets.UTF_8) + "; Path=" + path
                        + "; HttpOnly; SameSite=Lax");
    }

    private void forward(
            PreviewAddress address,
            Previews.Route route,
            Access access,
            HttpServletRequest request,
            HttpServletResponse response)
            throws IOException, ServletException {
        String upgrade = request.getHeader("Upgrade");
        if (upgrade != null && !upgrade.equalsIgnoreCase("websocket")) {
            upgrade = null; // h2c, say, which the client offers and does without: HTTP/1.1 it is
        }
        Socket socket = WorkerTunnels.open(
                route.tunnel(), address.sandboxId(), address.port(), head(address, access, request, upgrade));
        boolean upgraded = false;
        try {
            OutputStream toServer = socket.getOutputStream();
            if (upgrade == null) {
                sendBody(request, toServer);
            }
            toServer.flush();
            InputStream fromServer = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            HttpHead answer = HttpHead.read(fromServer);
            while (answer.status() >= 100 && answer.status() < 200 && answer.status() != 101) {
                answer = HttpHead.read(fromServer); // 100 Continue and other interim answers: the client needs none
            }
            response.setStatus(answer.status());
            for (HttpHead.Header h : answer.headers()) {
                if (answer.status() == 101 || !NOT_ANSWERED.contains(h.name().toLowerCase(Locale.ROOT))) {
                    response.addHeader(h.name(), h.value());
                }
            }
            if (answer.status() == 101) {
                TunnelUpgrade pipe = request.upgrade(TunnelUpgrade.class);
                pipe.attach(socket, fromServer);
                upgraded = true;
                return;
            }
            sendAnswerBody(request, answer, fromServer, response);
        } catch (IOException e) {
            if (!response.isCommitted()) {
                throw new ApiException(
                        HttpStatus.BAD_GATEWAY,
                        "PREVIEW_FAILED",
                        "the server in the sandbox did not answer in HTTP/1.1: " + e.getMessage(),
                        "check the server's log, e.g. POST /process/logs",
                        null);
            }
            log.debug("Preview {}-{} cut short: {}", address.port(), address.sandboxId(), e.toString());
        } finally {
            if (!upgraded) {
                socket.close();
            }
        }
    }

    private static byte[] head(
            PreviewAddress address, Access access, HttpServletRequest request, @Nullable String upgrade) {
        StringBuilder head = new StringBuilder(512);
        head.append(request.getMethod()).append(' ').append(address.target()).append(" HTTP/1.1\r\n");
        for (String name : Collections.list(request.getHeaderNames())) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (NOT_FORWARDED.contains(lower)
                    || (access == Access.BY_ACCOUNT && lower.equals("authorization"))
                    || lower.equals(TOKEN_HEADER.toLowerCase(Locale.ROOT))) {
                continue;
            }
            for (String value : Collections.list(request.getHeaders(name))) {
                head.append(name).append(": ").append(value).append("\r\n");
            }
        }
        head.append("X-Forwarded-For: ").append(request.getRemoteAddr()).append("\r\n");
        head.append("X-Forwarded-Proto: ").append(request.getScheme()).append("\r\n");
        if (request.getHeader("Host") != null) {
            head.append("X-Forwarded-Host: ").append(request.getHeader("Host")).append("\r\n");
        }
        if (upgrade != null) {
            head.append("Connection: Upgrade\r\nUpgrade: ").append(upgrade).append("\r\n");
        } else {
            head.append("Connection: close\r\n");
            long length = request.getContentLengthLong();
            if (length >= 0) {
                head.append("Content-Length: ").append(length).append("\r\n");
            } else if (chunked(request.getHeader("Transfer-Encoding"))) {
                head.append("Transfer-Encoding: chunked\r\n");
            }
        }
        head.append("\r\n");
        return head.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static boolean chunked(@Nullable String transferEncoding) {
        return transferEncoding != null
                && transferEncoding.toLowerCase(Locale.ROOT).contains("chunked");
    }

    /** The request's body as it comes: as is with its length, re-chunked without one. */
    private static void sendBody(HttpServletRequest request, OutputStream toServer) throws IOException {
        if (request.getContentLengthLong() > 0) {
            request.getInputStream().transferTo(toServer);
        } else if (request.getContentLengthLong() < 0 && chunked(request.getHeader("Transfer-Encoding"))) {
            InputStream body = request.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = body.read(buffer)) > 0) {
                toServer.write(HttpHead.ascii(Integer.toHexString(n) + "\r\n"));
                toServer.write(buffer, 0, n);
                toServer.write(HttpHead.CRLF);
            }
            toServer.write(HttpHead.ascii("0\r\n\r\n"));
        }
    }

    private static void sendAnswerBody(
            HttpServletRequest request, HttpHead answer, InputStream fromServer, HttpServletResponse response)
            throws IOException {
        int status = answer.status();
        if (request.getMethod().equals("HEAD") || status == 204 || status == 304) {
            String length = answer.header("Content-Length");
            if (length != null) {
                response.setHeader("Content-Length", length);
            }
            return;
        }
        OutputStream toClient = response.getOutputStream();
        String length = answer.header("Content-Length");
        if (chunked(answer.header("Transfer-Encoding"))) {
            HttpHead.copyChunked(fromServer, toClient, response);
        } else if (length != null) {
            long n = Long.parseLong(length.trim());
            response.setContentLengthLong(n);
            HttpHead.copy(fromServer, toClient, n, response);
        } else {
            HttpHead.copy(fromServer, toClient, Long.MAX_VALUE, response);
        }
        response.flushBuffer();
    }
}
