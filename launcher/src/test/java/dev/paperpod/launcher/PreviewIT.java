package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.api.auth.AccountTokens;
import dev.paperpod.launcher.support.Api;
import dev.paperpod.launcher.support.SharedStack;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * Preview URLs (issue 18): a server started in the account's sandbox answers through the api, by the URL's host
 * ({@code 8080-sbx-….localhost:<port>}) and by its path form, with bodies streamed both ways and WebSockets; private
 * previews open only with a token; a gone sandbox, a port nobody listens on, a reserved port and an unknown preview
 * are each told clearly.
 */
@ExtendWith(SharedStack.class)
class PreviewIT {

    private static final String PREVIEW_TOKEN = "X-PaperPod-Preview-Token";

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** An HTTP server of the standard library: POST answers the body's length and SHA-256. */
    private static final String POST_SERVER = """
            import hashlib, http.server
            class H(http.server.SimpleHTTPRequestHandler):
                def do_POST(self):
                    digest, size = hashlib.sha256(), 0
                    if self.headers.get('Transfer-Encoding', '') == 'chunked':
                        while True:
                            n = int(self.rfile.readline().split(b';')[0], 16)
                            if n == 0:
                                self.rfile.readline()
                                break
                            chunk = self.rfile.read(n); self.rfile.readline()
                            digest.update(chunk); size += len(chunk)
                    else:
                        left = int(self.headers['Content-Length'])
                        while left:
                            chunk = self.rfile.read(min(left, 65536)); left -= len(chunk)
                            digest.update(chunk); size += len(chunk)
                    body = ('%d %s' % (size, digest.hexdigest())).encode()
                    self.send_response(200); self.send_header('Content-Length', str(len(body))); self.end_headers()
                    self.wfile.write(body)
            http.server.ThreadingHTTPServer(('0.0.0.0', 8081), H).serve_forever()
            """;

    /** A WebSocket echo server of the standard library (RFC 6455, text frames). */
    private static final String WEBSOCKET_SERVER = """
            import base64, hashlib, socket, struct, threading
            def serve(c):
                head = b''
                while b'\\r\\n\\r\\n' not in head:
                    head += c.recv(4096)
                key = [l.split(b':', 1)[1].strip() for l in head.split(b'\\r\\n')
                       if l.lower().startswith(b'sec-websocket-key')][0]
                accept = base64.b64encode(hashlib.sha1(key + b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest())
                c.sendall(b'HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n'
                          b'Sec-WebSocket-Accept: ' + accept + b'\\r\\n\\r\\n')
                f = c.makefile('rb')
                while True:
                    h = f.read(2)
                    if len(h) < 2:
                        return
                    op, n = h[0] & 15, h[1] & 127
                    if n == 126: n = struct.unpack('>H', f.read(2))[0]
                    elif n == 127: n = struct.unpack('>Q', f.read(8))[0]
                    mask = f.read(4) if h[1] & 128 else b'\\0\\0\\0\\0'
                    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(f.read(n)))
                    if op == 8:
                        c.sendall(b'\\x88\\x00'); return
                    if op == 1:
                        out = b'echo: ' + payload
                        size = bytes([len(out)]) if len(out) < 126 else bytes([126]) + struct.pack('>H', len(out))
                        c.sendall(b'\\x81' + size + out)
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('0.0.0.0', 8765)); s.listen()
            while True:
                c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
            """;

    private static String name() {
        return "pv-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static JsonNode ok(Api.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    private static void refused(Api.Response response, int status, String code) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.json().path("error").path("code").asString())
                .as(response.toString())
                .isEqualTo(code);
        assertThat(response.json().path("error").path("hint").asString())
                .as(response.toString())
                .isNotBlank();
    }

    /** Starts {@code command} in the sandbox and exposes {@code port} once it answers there. */
    private static JsonNode serve(Api api, String command, int port) {
        ok(api.post("/process/start", Map.of("name", "server-" + port, "command", command)));
        JsonNode exposed = ok(api.post("/expose", Map.of("port", port)));
        String url = exposed.path("pathUrl").asString();
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> get(url, Map.of()).statusCode() != 502);
        return exposed;
    }

    private static HttpResponse<byte[]> get(String url, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(1));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A GET by the URL's host name, as a browser sends it: curl and browsers resolve *.localhost themselves. */
    private static String getByHost(String url, int apiPort) throws IOException {
        URI uri = URI.create(url);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), apiPort)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getRawAuthority()
                            + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aPageServedInTheSandboxLoadsByItsHostAndItsPathAndTheUrlStaysTheSame(Api shared, EmbeddedStack stack)
            throws Exception {
        Api api = shared.withSandbox(name());
        ok(api.post("/files/write", Map.of("path", "site/index.html", "content", "<h1>hello from the sandbox</h1>")));
        JsonNode exposed = serve(api, "cd site && exec python -m http.server 8080 --bind 0.0.0.0", 8080);
        String sandboxId = exposed.path("sandboxId").asString();

        assertThat(exposed.path("url").asString())
                .isEqualTo("http://8080-" + sandboxId + ".localhost:" + stack.apiPort() + "/");
        assertThat(exposed.path("private").asBoolean()).isFalse();
        HttpResponse<byte[]> byPath = get(exposed.path("pathUrl").asString(), Map.of());
        assertThat(byPath.statusCode()).isEqualTo(200);
        assertThat(new String(byPath.body(), StandardCharsets.UTF_8)).contains("hello from the sandbox");
        assertThat(byPath.headers().firstValue("Content-Type")).contains("text/html");
        assertThat(getByHost(exposed.path("url").asString(), stack.apiPort()))
                .startsWith("HTTP/1.1 200")
                .contains("hello from the sandbox");
        HttpResponse<byte[]> missing = get(exposed.path("pathUrl").asString() + "nope.html", Map.of());
        assertThat(missing.statusCode()).as("the server's own 404").isEqualTo(404);

        JsonNode again = ok(api.post("/expose", Map.of("port", 8080)));
        assertThat(again.path("url").asString()).isEqualTo(exposed.path("url").asString());
        JsonNode status = ok(api.get("/status"));
        assertThat(status.path("exposedPorts")).hasSize(1);
        assertThat(status.path("exposedPorts").get(0).path("port").asInt()).isEqualTo(8080);
        HttpResponse<byte[]> noSlash = HTTP.send(
                HttpRequest.newBuilder(
                                URI.create(exposed.path("pathUrl").asString().replaceAll("/$", "")))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(noSlash.statusCode()).isEqualTo(308);
    }

    @Test
    void largeBodiesStreamBothWaysAndAWebSocketEchoes(Api shared) throws Exception {
        Api api = shared.withSandbox(name());
        ok(api.post("/files/write", Map.of("path", "post.py", "content", POST_SERVER)));
        ok(api.post("/files/write", Map.of("path", "ws.py", "content", WEBSOCKET_SERVER)));
        JsonNode made = ok(api.post(
                "/execute",
                Map.of(
                        "language",
                        "shell",
                        "code",
                        "head -c 104857600 /dev/urandom > big.bin && sha256sum big.bin | cut -d' ' -f1")));
        String bigDigest = made.path("stdout").asString().trim();
        JsonNode files = serve(api, "exec python -m http.server 8080 --bind 0.0.0.0", 8080);
        JsonNode posts = serve(api, "exec python post.py", 8081);
        JsonNode sockets = ok(api.post("/expose", Map.of("port", 8765)));
        ok(api.post("/process/start", Map.of("name", "ws", "command", "exec python ws.py")));

        HttpResponse<InputStream> download = HTTP.send(
                HttpRequest.newBuilder(URI.create(files.path("pathUrl").asString() + "big.bin"))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        long size = 0;
        try (InputStream body = download.body()) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = body.read(buffer)) > 0; size += n) {
                digest.update(buffer, 0, n);
            }
        }
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(size).isEqualTo(104_857_600L);
        assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(bigDigest);

        byte[] upload = new byte[20 * 1024 * 1024 + 3];
        new Random(5).nextBytes(upload);
        String uploadDigest =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(upload));
        HttpResponse<String> sized = HTTP.send(
                HttpRequest.newBuilder(URI.create(posts.path("pathUrl").asString()))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(upload))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(sized.body()).isEqualTo(upload.length + " " + uploadDigest);
        HttpResponse<String> chunked = HTTP.send(
                HttpRequest.newBuilder(URI.create(posts.path("pathUrl").asString()))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(upload)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.body()).as("a body of no stated length").isEqualTo(upload.length + " " + uploadDigest);

        String ws = sockets.path("pathUrl").asString().replaceFirst("^http", "ws");
        CompletableFuture<String> echoed = new CompletableFuture<>();
        WebSocket socket = Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(
                        () -> HTTP.newWebSocketBuilder()
                                .buildAsync(URI.create(ws), new WebSocket.Listener() {
                                    @Override
                                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                                        echoed.complete(data.toString());
                                        return null;
                                    }
                                })
                                .get(10, TimeUnit.SECONDS),
                        s -> s != null);
        socket.sendText("hot reload", true);
        assertThat(echoed.get(20, TimeUnit.SECONDS)).isEqualTo("echo: hot reload");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    }

    @Test
    void aPrivatePreviewOpensOnlyWithTheAccountsTokenOrItsOwn(Api shared, EmbeddedStack stack) throws Exception {
        Api api = shared.withSandbox(name());
        serve(api, "exec python -m http.server 8080 --bind 0.0.0.0", 8080);
        JsonNode exposed = ok(api.post("/expose", Map.of("port", 8080, "private", true)));
        String url = exposed.path("pathUrl").asString();
        String token = exposed.path("token").asString();
        String other = "pp_other_" + UUID.randomUUID();
        stack.api().getBean(AccountTokens.class).register("other-" + other, "test", other);

        assertThat(token).startsWith("ppv_");
        assertThat(exposed.path("private").asBoolean()).isTrue();
        assertThat(get(url, Map.of()).statusCode()).isEqualTo(401);
        assertThat(get(url, Map.of("Authorization", "Bearer " + other)).statusCode())
                .as("another account's token")
                .isEqualTo(401);
        assertThat(get(url, Map.of(PREVIEW_TOKEN, "ppv_guessed")).statusCode()).isEqualTo(401);
        assertThat(get(url, Map.of("Authorization", "Bearer " + shared.token())).statusCode())
                .isEqualTo(200);
        assertThat(get(url, Map.of(PREVIEW_TOKEN, token)).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> byQuery = get(url + "?paperpod_token=" + token, Map.of());
        assertThat(byQuery.statusCode()).isEqualTo(302);
        String cookie = byQuery.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(get(url, Map.of("Cookie", cookie.substring(0, cookie.indexOf(';'))))
                        .statusCode())
                .isEqualTo(200);
        assertThat(ok(api.post("/expose", Map.of("port", 8080, "private", true)))
                        .path("token")
                        .asString())
                .as("the same token on the next call")
                .isEqualTo(token);
    }

    @Test
    void previewsThatCannotBeServedSaySoClearly(Api shared) throws Exception {
        Api api = shared.withSandbox(name());
        refused(api.post("/expose", Map.of("port", 3005)), 400, "RESERVED_PORT");
        refused(api.post("/expose", Map.of("port", 70_000)), 400, "INVALID_FIELD");
        refused(api.post("/expose", Map.of("private", true)), 400, "INVALID_FIELD");
        refused(api.post("/expose", Map.of("port", "eighty")), 400, "INVALID_FIELD");

        JsonNode idle = ok(api.post("/expose", Map.of("port", 9099)));
        HttpResponse<byte[]> nothing = get(idle.path("pathUrl").asString(), Map.of());
        assertThat(nothing.statusCode()).isEqualTo(502);
        assertThat(new String(nothing.body(), StandardCharsets.UTF_8))
                .contains("NOTHING_LISTENING")
                .contains("0.0.0.0");

        String unknown =
                idle.path("pathUrl").asString().replace(idle.path("sandboxId").asString(), "sbx-00000000-000");
        HttpResponse<byte[]> guessed = get(unknown, Map.of());
        assertThat(guessed.statusCode()).isEqualTo(404);
        assertThat(new String(guessed.body(), StandardCharsets.UTF_8)).contains("UNKNOWN_PREVIEW");

        ok(api.post("/sandbox/reset", "{}"));
        HttpResponse<byte[]> gone = get(idle.path("pathUrl").asString(), Map.of());
        assertThat(gone.statusCode()).isEqualTo(410);
        assertThat(new String(gone.body(), StandardCharsets.UTF_8)).contains("SANDBOX_GONE");
    }
}
