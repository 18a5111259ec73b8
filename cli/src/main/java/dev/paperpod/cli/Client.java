package dev.paperpod.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * PaperPod's API as ppod calls it: JSON in, JSON out, the server's error shape turned into {@link Failure}. On
 * {@link HttpURLConnection}: a CLI's run is mostly its start, and {@code java.net.http.HttpClient} takes about half a
 * second to build (its security set-up) where this takes a tenth of that.
 */
final class Client {

    /**
     * Plain JSON: ppod reads answers as trees and writes maps, so it needs none of the records' mapping (and starts
     * sooner without building it).
     */
    static final JsonMapper JSON = JsonMapper.builder().build();

    private static final int CONNECT_TIMEOUT_MS = 5_000;
    /** Longer than the longest job (10 min): the server gives up first and says why. */
    private static final int READ_TIMEOUT_MS = 11 * 60_000;

    private final Login login;
    private final @Nullable String sandbox;

    Client(Login login, @Nullable String sandbox) {
        this.login = login;
        this.sandbox = sandbox;
    }

    /** An answer that is not a success, as the server told it (or as ppod could not reach it). */
    static final class Failure extends Exception {
        final String code;
        final String hint;
        final @Nullable String field;
        /** The job that failed, when the answer names one (a browser job's trace is kept on failure too). */
        @Nullable
        String jobId;

        Failure(String code, String message, String hint, @Nullable String field) {
            super(message);
            this.code = code;
            this.hint = hint;
            this.field = field;
        }
    }

    JsonNode post(String path, Map<String, ?> body) throws Failure {
        return answer(open("POST", path, body, "application/json"));
    }

    JsonNode get(String path) throws Failure {
        return answer(open("GET", path, null, "application/json"));
    }

    JsonNode delete(String path) throws Failure {
        return answer(open("DELETE", path, null, "application/json"));
    }

    /** POSTs to an endpoint that answers Server-Sent Events, handing each event (name, data) over as it comes. */
    void stream(String path, Map<String, ?> body, BiConsumer<String, JsonNode> events) throws Failure {
        HttpURLConnection c = open("POST", path, body, "text/event-stream");
        try {
            if (c.getResponseCode() != 200) {
                throw failure(c);
            }
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
                String event = "message";
                StringBuilder data = new StringBuilder();
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.isEmpty()) {
                        if (data.length() > 0) {
                            events.accept(event, JSON.readTree(data.toString()));
                        }
                        event = "message";
                        data.setLength(0);
                    } else if (line.startsWith("event:")) {
                        event = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5).stripLeading());
                    }
                }
            }
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    /** How far a transfer is: {@code total} is -1 when unknown. */
    interface Progress {
        void at(long done, long total);
    }

    /** PUTs {@code content} as it is read ({@code length} -1 when unknown), telling {@code progress} as it goes. */
    JsonNode upload(String path, InputStream content, long length, Progress progress) throws Failure {
        HttpURLConnection c = connect("PUT", path, "application/json");
        try {
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/octet-stream");
            if (length >= 0) {
                c.setFixedLengthStreamingMode(length);
            } else {
                c.setChunkedStreamingMode(64 * 1024);
            }
            try (OutputStream out = c.getOutputStream()) {
                copy(content, out, length, progress);
            }
        } catch (IOException e) {
            // the server may have refused part-way: its answer says why
        }
        return answer(c);
    }

    /** A POST whose answer is bytes (a screenshot, a PDF): its size and headers. */
    record Fetched(long bytes, Map<String, java.util.List<String>> headers) {

        @Nullable
        String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey() != null && e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream())
                    .findFirst()
                    .orElse(null);
        }
    }

    /** POSTs JSON and copies the answer's bytes into {@code sink} as they come. */
    Fetched postForBytes(String path, Map<String, ?> body, OutputStream sink) throws Failure {
        HttpURLConnection c = open("POST", path, body, "*/*");
        try {
            if (c.getResponseCode() != 200) {
                throw failure(c);
            }
            try (InputStream in = c.getInputStream()) {
                return new Fetched(copy(in, sink, c.getContentLengthLong(), (done, total) -> {}), c.getHeaderFields());
            }
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    /** GETs a download into {@code sink} as it comes, telling {@code progress}; answers its size. */
    long download(String path, OutputStream sink, Progress progress) throws Failure {
        HttpURLConnection c = connect("GET", path, "application/octet-stream");
        try {
            if (c.getResponseCode() != 200) {
                throw failure(c);
            }
            try (InputStream in = c.getInputStream()) {
                return copy(in, sink, c.getContentLengthLong(), progress);
            }
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    private static long copy(InputStream in, OutputStream out, long total, Progress progress) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long done = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            out.write(buffer, 0, n);
            done += n;
            progress.at(done, total);
        }
        out.flush();
        return done;
    }

    private HttpURLConnection open(String method, String path, @Nullable Map<String, ?> body, String accept)
            throws Failure {
        HttpURLConnection c = connect(method, path, accept);
        if (body != null) {
            try {
                byte[] bytes = JSON.writeValueAsBytes(body);
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json");
                c.setFixedLengthStreamingMode(bytes.length);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(bytes);
                }
            } catch (IOException e) {
                throw unreachable(e);
            }
        }
        return c;
    }

    private HttpURLConnection connect(String method, String path, String accept) throws Failure {
        if (login.token() == null) {
            throw new Failure(
                    "NOT_LOGGED_IN",
                    "no token: ppod does not know who you are",
                    "run `ppod login <token>`, or set PAPERPOD_TOKEN",
                    null);
        }
        try {
            HttpURLConnection c =
                    (HttpURLConnection) URI.create(login.url() + path).toURL().openConnection();
            c.setRequestMethod(method);
            c.setConnectTimeout(CONNECT_TIMEOUT_MS);
            c.setReadTimeout(READ_TIMEOUT_MS);
            c.setRequestProperty("Authorization", "Bearer " + login.token());
            c.setRequestProperty("Accept", accept);
            if (sandbox != null) {
                c.setRequestProperty("X-PaperPod-Sandbox", sandbox);
            }
            return c;
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    private JsonNode answer(HttpURLConnection c) throws Failure {
        try {
            if (c.getResponseCode() / 100 != 2) {
                throw failure(c);
            }
            try (InputStream in = c.getInputStream()) {
                return JSON.readTree(in.readAllBytes());
            }
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    private static Failure failure(HttpURLConnection c) throws IOException {
        Failure failure = told(c);
        failure.jobId = c.getHeaderField("X-PaperPod-Job-Id");
        return failure;
    }

    private static Failure told(HttpURLConnection c) throws IOException {
        int status = c.getResponseCode();
        String body;
        try (InputStream in = c.getErrorStream()) {
            body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            JsonNode error = JSON.readTree(body).path("error");
            if (error.has("code")) {
                return new Failure(
                        error.path("code").asString(),
                        error.path("message").asString(),
                        error.path("hint").asString(),
                        error.hasNonNull("field") ? error.path("field").asString() : null);
            }
        } catch (RuntimeException ignored) {
            // not PaperPod's error shape: told as it came
        }
        return new Failure("HTTP_" + status, body.isBlank() ? "status " + status : body, "", null);
    }

    private Failure unreachable(IOException e) {
        String why = e instanceof ConnectException ? "nothing answers there" : e.toString();
        return new Failure(
                "UNREACHABLE",
                "cannot reach PaperPod at " + login.url() + ": " + why,
                "start it with `./paperpod up`, or set PAPERPOD_URL (or `ppod login <token> --url …`)",
                null);
    }
}
