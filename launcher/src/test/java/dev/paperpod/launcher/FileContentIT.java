package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.launcher.support.Api;
import dev.paperpod.launcher.support.SharedStack;
import dev.paperpod.schemas.Wire;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * Files of any size in and out of the account's sandbox, streamed ({@code PUT} and {@code GET /files/content}):
 * 100 MB both ways, whole and the same bytes, a body of no stated length, and each refusal clear.
 */
@ExtendWith(SharedStack.class)
class FileContentIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final long BIG = 100L * 1024 * 1024 + 7;

    private final Api api;
    private final String base;
    private final String sandbox = "fc-" + UUID.randomUUID().toString().substring(0, 8);

    FileContentIT(Api shared, EmbeddedStack stack) {
        this.api = shared.withSandbox(sandbox);
        this.base = stack.baseUrl();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(
                        URI.create(base + "/files/content?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + api.token())
                .header("X-PaperPod-Sandbox", sandbox);
    }

    /** The same pseudo-random bytes for a seed, {@code size} of them, never all in memory. */
    private static InputStream bytes(long seed, long size) {
        Random random = new Random(seed);
        return new InputStream() {
            long left = size;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left == 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                byte[] chunk = new byte[n];
                random.nextBytes(chunk);
                System.arraycopy(chunk, 0, b, off, n);
                left -= n;
                return n;
            }
        };
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[1 << 16];
        try (in) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @Test
    void aHundredMegabyteFileIsStreamedInAndOutWhole() throws Exception {
        String expected = sha256(bytes(11, BIG));

        HttpResponse<String> put = HTTP.send(
                request("data/big.bin")
                        .PUT(HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> bytes(11, BIG)), BIG))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        JsonNode written = Wire.mapper().readTree(put.body());
        assertThat(written.path("size").asLong()).isEqualTo(BIG);
        assertThat(written.path("sandboxId").asString()).startsWith("sbx-");

        JsonNode inside = api.post(
                        "/execute", Map.of("language", "shell", "code", "sha256sum data/big.bin | cut -d' ' -f1"))
                .json();
        assertThat(inside.path("stdout").asString().trim()).isEqualTo(expected);

        HttpResponse<InputStream> get =
                HTTP.send(request("data/big.bin").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.headers().firstValueAsLong("Content-Length")).hasValue(BIG);
        assertThat(get.headers().firstValue("X-PaperPod-Sandbox-Id"))
                .contains(written.path("sandboxId").asString());
        assertThat(sha256(get.body())).isEqualTo(expected);
    }

    @Test
    void aBodyOfNoStatedLengthIsWrittenWholeAndAppendAdds() throws Exception {
        HttpResponse<String> put = HTTP.send(
                request("log.txt")
                        .PUT(HttpRequest.BodyPublishers.ofInputStream(
                                () -> new java.io.ByteArrayInputStream("one\n".getBytes(StandardCharsets.UTF_8))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        HttpResponse<String> appended = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/files/content?path=log.txt&append=true&mode=384"))
                        .header("Authorization", "Bearer " + api.token())
                        .header("X-PaperPod-Sandbox", sandbox)
                        .PUT(HttpRequest.BodyPublishers.ofString("two\n"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(appended.statusCode()).as(appended.body()).isEqualTo(200);

        assertThat(api.post("/files/read", Map.of("path", "log.txt"))
                        .json()
                        .path("content")
                        .asString())
                .isEqualTo("one\ntwo\n");
        assertThat(api.post("/files/read", Map.of("path", "log.txt"))
                        .json()
                        .path("mode")
                        .asInt())
                .isEqualTo(0600);
    }

    @Test
    void refusalsNameTheFieldAndSayWhatToDo() throws Exception {
        api.post("/files/write", Map.of("path", "dir/f.txt", "content", "x"));

        refused(
                HTTP.send(request("missing.bin").GET().build(), HttpResponse.BodyHandlers.ofString()),
                404,
                "FILE_NOT_FOUND");
        refused(HTTP.send(request("dir").GET().build(), HttpResponse.BodyHandlers.ofString()), 400, "IS_A_DIRECTORY");
        refused(
                HTTP.send(
                        request("/etc/paperpod-was-here")
                                .PUT(HttpRequest.BodyPublishers.ofString("x"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()),
                403,
                "DENIED");
        refused(
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(base + "/files/content"))
                                .header("Authorization", "Bearer " + api.token())
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString()),
                400,
                "INVALID_FIELD");
    }

    private static void refused(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = Wire.mapper().readTree(response.body()).path("error");
        assertThat(error.path("code").asString()).as(response.body()).isEqualTo(code);
        assertThat(error.path("hint").asString()).isNotBlank();
    }
}
