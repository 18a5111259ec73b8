package dev.paperpod.worker.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PreviewRelayTest {

    private final PreviewRelay relay = new PreviewRelay(Path.of("/tmp/unused"), "127.0.0.1:8080", "localhost");

    private static String head(String requestLine, String... headers) {
        return requestLine + "\r\n" + String.join("\r\n", headers);
    }

    @Test
    void previewsPassByTheirHostOrTheirPath() {
        assertThat(relay.refusal(head("GET /app.js HTTP/1.1", "Host: 8080-sbx-1f3a9c2b-4d5.localhost:8080")))
                .isNull();
        assertThat(relay.refusal(head("GET / HTTP/1.1", "host: 3000-SBX-1f3a9c2b-4d5.LOCALHOST")))
                .isNull();
        assertThat(relay.refusal(head("GET /preview/sbx-1f3a9c2b-4d5/8080/x?y=1 HTTP/1.1", "Host: localhost:8080")))
                .isNull();
    }

    @Test
    void everythingElseOfPaperPodsIsRefused() {
        assertThat(relay.refusal(head("GET /v1/jobs HTTP/1.1", "Host: localhost:8080")))
                .isEqualTo("localhost:8080/v1/jobs is PaperPod's own, not a preview URL");
        assertThat(relay.refusal(head("GET /preview/not-a-sandbox/8080/ HTTP/1.1", "Host: localhost:8080")))
                .isNotNull();
        assertThat(relay.refusal(head("GET / HTTP/1.1", "Host: 8080-sbx-1f3a9c2b-4d5.example.com")))
                .isNotNull();
        assertThat(relay.refusal(head("GET / HTTP/1.1", "Host: 8080-sbx-1f3a9c2b-4d5.localhost", "Host: localhost")))
                .isEqualTo("a request with two Host headers");
        assertThat(relay.refusal(
                        head("GET http://localhost/v1/jobs HTTP/1.1", "Host: 8080-sbx-1f3a9c2b-4d5.localhost")))
                .as("an absolute target: the api would take its host")
                .isNotNull();
        assertThat(relay.refusal("\u0016\u0003\u0001 TLS")).isEqualTo("not an HTTP request");
    }

    @Test
    void onlyThisRequestReachesTheApi() {
        String rewritten = PreviewRelay.rewritten(head(
                "GET /ws HTTP/1.1",
                "Host: 8080-sbx-1f3a9c2b-4d5.localhost",
                "Connection: keep-alive, Upgrade",
                "Keep-Alive: timeout=5",
                "Proxy-Connection: keep-alive",
                "Upgrade: websocket"));

        assertThat(rewritten)
                .isEqualTo("GET /ws HTTP/1.1\r\nHost: 8080-sbx-1f3a9c2b-4d5.localhost\r\nUpgrade: websocket\r\n"
                        + "Connection: close\r\n\r\n");
    }
}
