package dev.paperpod.cli;

import dev.paperpod.schemas.Wire;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** PaperPod's API as ppod calls it: JSON in, JSON out, the server's error shape turned into {@link Failure}. */
final class Client {

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
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

        Failure(String code, String message, String hint, @Nullable String field) {
            super(message);
            this.code = code;
            this.hint = hint;
            this.field = field;
        }
    }

    JsonNode post(String path, Map<String, ?> body) throws Failure {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofString(Wire.writeString(body))));
    }

    JsonNode get(String path) throws Failure {
        return send(request(path).GET());
    }

    /**
     * POSTs to an endpoint that answers Server-Sent Events, handing each event (name, data) over as it comes.
     */
    void stream(String path, Map<String, ?> body, BiConsumer<String, JsonNode> events) throws Failure {
        HttpResponse<java.io.InputStream> response;
        try {
            response = http.send(
                    request(path)
                            .header("Accept", "text/event-stream")
                            .POST(HttpRequest.BodyPublishers.ofString(Wire.writeString(body)))
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("INTERRUPTED", "interrupted", "", null);
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            if (response.statusCode() != 200) {
                StringBuilder all = new StringBuilder();
                for (String line; (line = in.readLine()) != null; ) {
                    all.append(line);
                }
                throw failure(response.statusCode(), all.toString());
            }
            String event = "message";
            StringBuilder data = new StringBuilder();
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        events.accept(event, Wire.mapper().readTree(data.toString()));
                    }
                    event = "message";
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).stripLeading());
                }
            }
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    private HttpRequest.Builder request(String path) throws Failure {
        if (login.token() == null) {
            throw new Failure(
                    "NOT_LOGGED_IN",
                    "no token: ppod does not know who you are",
                    "run `ppod login <token>`, or set PAPERPOD_TOKEN",
                    null);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(login.url() + path))
                .timeout(Duration.ofMinutes(11))
                .header("Authorization", "Bearer " + login.token());
        if (sandbox != null) {
            b.header("X-PaperPod-Sandbox", sandbox);
        }
        return b;
    }

    private JsonNode send(HttpRequest.Builder request) throws Failure {
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("INTERRUPTED", "interrupted", "", null);
        }
        if (response.statusCode() / 100 != 2) {
            throw failure(response.statusCode(), response.body());
        }
        return Wire.mapper().readTree(response.body());
    }

    private static Failure failure(int status, String body) {
        try {
            JsonNode error = Wire.mapper().readTree(body).path("error");
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
