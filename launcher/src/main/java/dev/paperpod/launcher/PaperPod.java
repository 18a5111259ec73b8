package dev.paperpod.launcher;

import dev.paperpod.embedded.PodmanService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code ./paperpod up}: starts the embedded default and prints where it is and how to call it.
 *
 * <p>Settings (environment): {@code PAPERPOD_HOME} (data, default {@code ~/.paperpod}), {@code PAPERPOD_PORT}
 * (HTTP, default 8080), {@code PAPERPOD_BIND} (the address the API listens on, default 127.0.0.1: loopback, where
 * no sandbox can reach it), {@code PAPERPOD_SANDBOX_IMAGE} (default {@code localhost/paperpod/full}, the image with
 * every tool), {@code PAPERPOD_DEV_TOKEN} (the development token; generated once and kept in
 * {@code PAPERPOD_HOME/dev-token} when unset), {@code PAPERPOD_PODMAN_SOCKET}.
 */
public final class PaperPod {

    private PaperPod() {}

    public static void main(String[] args) throws Exception {
        Path home = Path.of(env("PAPERPOD_HOME", System.getProperty("user.home") + "/.paperpod"));
        int port = Integer.parseInt(env("PAPERPOD_PORT", "8080"));
        Path socket = Path.of(
                env("PAPERPOD_PODMAN_SOCKET", PodmanService.defaultSocket().toString()));
        Files.createDirectories(home);
        String token = devToken(home);

        String bind = env("PAPERPOD_BIND", "127.0.0.1");
        String image = env("PAPERPOD_SANDBOX_IMAGE", "localhost/paperpod/full");
        EmbeddedStack stack = new EmbeddedStack(new EmbeddedStack.Settings(
                home, port, bind, token, socket, true, Map.of("paperpod.worker.sandbox.image", image)));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.out.println("\nStopping PaperPod…");
                            stack.close();
                            stopped.countDown();
                        },
                        "paperpod-shutdown"));
        try {
            stack.start();
        } catch (RuntimeException e) {
            System.err.println("\nPaperPod could not start: " + e.getMessage());
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                System.err.println("  because: " + cause.getMessage());
            }
            System.err.println("Run ./paperpod doctor to check the prerequisites; logs are in " + home.resolve("logs"));
            System.exit(1);
        }
        String health = awaitHealthy(stack.baseUrl(), Duration.ofMinutes(3));
        System.out.printf("""

                PaperPod is up at %1$s  (data in %3$s)
                %4$s
                Development token: %2$s

                Try:
                  curl -s %1$s/execute -H 'Authorization: Bearer %2$s' \\
                       -d '{"language":"python","code":"print(6*7)"}'

                Ctrl-C stops everything.
                """, stack.baseUrl(), token, home, health);
        stopped.await();
    }

    /** Waits for {@code GET /health} to say UP; answers a line saying so, or what is still missing. */
    private static String awaitHealthy(String baseUrl, Duration timeout) throws InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/health"))
                .timeout(Duration.ofSeconds(5))
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return "Health: UP";
                }
                last = response.body();
            } catch (IOException e) {
                last = e.toString();
            }
            LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
        }
        return "Health: not UP after " + timeout.toSeconds() + " s: " + last;
    }

    private static String devToken(Path home) throws IOException {
        String configured = System.getenv("PAPERPOD_DEV_TOKEN");
        if (configured != null && !configured.isBlank()) {
            return configured.trim();
        }
        Path file = home.resolve("dev-token");
        if (Files.exists(file)) {
            return Files.readString(file).trim();
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String token = "pp_dev_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Files.writeString(file, token + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return token;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
