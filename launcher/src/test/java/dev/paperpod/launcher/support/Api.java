package dev.paperpod.launcher.support;

import dev.paperpod.schemas.Wire;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** A small HTTP client for PaperPod's API, as a user's script would call it. */
public final class Api {

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final @Nullable String token;
    private final @Nullable String sandbox;

    public Api(String baseUrl, @Nullable String token) {
        this(baseUrl, token, null);
    }

    private Api(String baseUrl, @Nullable String token, @Nullable String sandbox) {
        this.baseUrl = baseUrl;
        this.token = token;
        this.sandbox = sandbox;
    }

    /** The bearer token the calls send, if any. */
    public @Nullable String token() {
        return token;
    }

    /** The same API, called with another token (or none). */
    public Api withToken(@Nullable String other) {
        return new Api(baseUrl, other, sandbox);
    }

    /**
     * The same API, its calls naming a sandbox ({@code X-PaperPod-Sandbox}): {@code ephemeral} for a fresh pool
     * sandbox per {@code /execute}, as every call had before accounts had sandboxes of their own.
     */
    public Api withSandbox(@Nullable String name) {
        return new Api(baseUrl, token, name);
    }

    public Response post(String path, String body) {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public Response post(String path, Map<String, ?> body) {
        return post(path, Wire.writeString(body));
    }

    /** A raw body, e.g. a file for {@code PUT /files/content}. */
    public Response put(String path, byte[] body) {
        return send(request(path).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    public Response get(String path) {
        return send(request(path).GET());
    }

    public Response delete(String path) {
        return send(request(path).DELETE());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofMinutes(2));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        if (sandbox != null) {
            builder.header("X-PaperPod-Sandbox", sandbox);
        }
        return builder;
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(
                    response.statusCode(), response.body(), response.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An answer: status, body as JSON, headers. */
    public record Response(int status, String body, Map<String, java.util.List<String>> headers) {

        public JsonNode json() {
            return Wire.mapper().readTree(body);
        }

        public String text(String field) {
            return json().path(field).asString();
        }

        public @Nullable String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream())
                    .findFirst()
                    .orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }
}
