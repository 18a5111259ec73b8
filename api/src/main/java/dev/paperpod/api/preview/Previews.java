package dev.paperpod.api.preview;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.sandbox.SandboxRouter;
import dev.paperpod.api.sync.LiveWorkers;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.schemas.sandbox.SandboxOperation;
import dev.paperpod.store.PreviewStore;
import dev.paperpod.store.SandboxStore;
import dev.paperpod.store.WorkerStore;
import jakarta.servlet.http.HttpServletRequest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The preview URLs of the accounts' sandboxes: exposing a port, the URLs it answers, and where a preview's requests
 * go. A URL names its sandbox by id, so it is the same on every call while the sandbox lives and needs nothing but
 * PostgreSQL to be found again by any api instance, after restarts too; once the account's sandbox is another one
 * (reset, idle expiry, its worker lost), the URL is gone for good.
 */
@Component
public class Previews {

    /** Reserved, as in the seed: the platform's own ports inside a sandbox. */
    static final int RESERVED_FROM = 3000;

    static final int RESERVED_TO = 3010;

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * How long a preview's route is used before it is looked up again: a page's burst of requests costs one lookup
     * (three PostgreSQL reads), not one each. A sandbox gone meanwhile is still told at once, by its worker; a
     * preview made private by another api instance opens here for at most this long.
     */
    static final Duration ROUTE_TTL = Duration.ofSeconds(1);

    private final PreviewStore previews;
    private final SandboxStore sandboxes;
    private final LiveWorkers workers;
    private final SandboxRouter router;
    private final ApiProperties properties;
    private final Clock clock;
    private final Map<String, Cached> routes = new ConcurrentHashMap<>();

    private record Cached(Route route, long until) {}

    Previews(
            PreviewStore previews,
            SandboxStore sandboxes,
            LiveWorkers workers,
            SandboxRouter router,
            ApiProperties properties,
            Clock clock) {
        this.previews = previews;
        this.sandboxes = sandboxes;
        this.workers = workers;
        this.router = router;
        this.properties = properties;
        this.clock = clock;
    }

    /** An exposed port, from the sandbox {@code seen}. */
    record Exposed(PreviewStore.Preview preview, SandboxRouter.Seen seen) {}

    /**
     * Exposes {@code port} of the caller's sandbox {@code name}, made if it is not there yet.
     *
     * @throws ApiException 400 for a port out of range or reserved
     */
    Exposed expose(Caller caller, String name, int port, boolean isPrivate) {
        checkPort(port);
        SandboxRouter.Answered status = router.command(caller, name, new SandboxOperation.Status());
        String sandboxId = status.seen().sandboxId();
        PreviewStore.Preview preview =
                previews.expose(caller.accountId(), name, sandboxId, port, isPrivate, newToken());
        routes.remove(key(sandboxId, port)); // made private, say: from this call on
        return new Exposed(preview, status.seen());
    }

    static void checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw ApiException.invalidField(
                    "port", "port " + port + " is not between 1 and 65535", "send the port your server listens on");
        }
        if (port >= RESERVED_FROM && port <= RESERVED_TO) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "RESERVED_PORT",
                    "ports " + RESERVED_FROM + "–" + RESERVED_TO + " are reserved",
                    "serve on another port, e.g. 8080",
                    "port");
        }
    }

    /** The sandbox's exposed ports. */
    List<PreviewStore.Preview> of(String sandboxId) {
        return previews.of(sandboxId);
    }

    /** The host-form URL of a preview, as a client that called the api with {@code request} reaches it. */
    String url(PreviewStore.Preview preview, HttpServletRequest request) {
        String domain = properties.previewDomain();
        if (domain == null || domain.isBlank()) {
            return "http://" + preview.port() + "-" + preview.sandboxId() + ".localhost:" + request.getServerPort()
                    + "/";
        }
        return properties.previewScheme() + "://" + preview.port() + "-" + preview.sandboxId() + "." + domain + "/";
    }

    /** The path-form URL of a preview, on the api's own address as the client called it. */
    static String pathUrl(PreviewStore.Preview preview, HttpServletRequest request) {
        String host = request.getHeader("Host");
        if (host == null) {
            host = request.getServerName() + ":" + request.getServerPort();
        }
        return request.getScheme() + "://" + host + PreviewAddress.PATH_PREFIX + preview.sandboxId() + "/"
                + preview.port() + "/";
    }

    /** The host part of the preview domain, which host-form requests end with. */
    String domainHost() {
        String domain = properties.previewDomain();
        if (domain == null || domain.isBlank()) {
            return "localhost";
        }
        int colon = domain.lastIndexOf(':');
        return colon < 0 ? domain : domain.substring(0, colon);
    }

    /** Where a preview's requests go: the preview and the tunnel of the worker that hosts its sandbox. */
    record Route(PreviewStore.Preview preview, WorkerHeartbeat.Tunnel tunnel) {}

    /**
     * @throws ApiException 404 when nothing is exposed there, 410 when its sandbox is gone
     */
    Route route(PreviewAddress address) {
        String key = key(address.sandboxId(), address.port());
        long now = System.nanoTime();
        Cached cached = routes.get(key);
        if (cached != null && now - cached.until() < 0) {
            return cached.route();
        }
        Route route = lookUp(address);
        if (routes.size() > 10_000) {
            routes.clear(); // a bound, not an eviction policy: the next requests look up again
        }
        routes.put(key, new Cached(route, now + ROUTE_TTL.toNanos()));
        return route;
    }

    private static String key(String sandboxId, int port) {
        return sandboxId + ":" + port;
    }

    private Route lookUp(PreviewAddress address) {
        PreviewStore.Preview preview = previews.find(address.sandboxId(), address.port())
                .orElseThrow(() -> new ApiException(
                        HttpStatus.NOT_FOUND,
                        "UNKNOWN_PREVIEW",
                        "no preview " + address.port() + "-" + address.sandboxId(),
                        "POST /expose {\"port\": …} answers the URL of a port of your sandbox",
                        null));
        String gone = "sandbox " + preview.sandboxId() + " is gone";
        String again = "a sandbox made anew has a new id: POST /expose again for its URL";
        SandboxStore.Placement placement = sandboxes
                .find(preview.accountId(), preview.name())
                .filter(p -> preview.sandboxId().equals(p.sandboxId()))
                .orElseThrow(() -> gone(gone + " (reset, idle past its expiry, or lost with its worker)", again));
        WorkerStore.Worker worker =
                workers.find(placement.workerId()).orElseThrow(() -> gone(gone + " with its worker", again));
        if (worker.tunnel() == null) {
            throw gone(gone + ": its worker takes no preview connections", again);
        }
        return new Route(preview, worker.tunnel());
    }

    static ApiException gone(String message, String hint) {
        return new ApiException(HttpStatus.GONE, "SANDBOX_GONE", message, hint, null);
    }

    private static String newToken() {
        byte[] token = new byte[20];
        RANDOM.nextBytes(token);
        return "ppv_" + HexFormat.of().formatHex(token);
    }
}
