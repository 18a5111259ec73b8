package dev.paperpod.api.browser;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.sync.LiveWorkers;
import dev.paperpod.api.sync.SyncJobs;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.schemas.browser.BrowserKind;
import dev.paperpod.schemas.browser.BrowserOperation;
import dev.paperpod.schemas.browser.BrowserSpec;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.store.BrowserSessionStore;
import dev.paperpod.store.WorkerStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The accounts' browser sessions: a session is placed on the live browser worker with the fewest, opened there (its
 * own browser container), and every later call naming it goes to that worker's own topic, where its context and open
 * page wait. The store says which sessions are open; a session whose worker is gone is ended when next named.
 */
@Component
public class BrowserSessions {

    /** How long opening a session may take: a browser container's start. */
    private static final Duration OPENING = Duration.ofSeconds(60);

    private final BrowserSessionStore store;
    private final LiveWorkers workers;
    private final SyncJobs sync;
    private final BrowserSessionSettings settings;
    private final Clock clock;

    BrowserSessions(
            BrowserSessionStore store,
            LiveWorkers workers,
            SyncJobs sync,
            BrowserSessionSettings settings,
            Clock clock) {
        this.store = store;
        this.workers = workers;
        this.sync = sync;
        this.settings = settings;
        this.clock = clock;
    }

    /** What {@code POST /browser/acquire} takes: the context's options and the session's idle timeout. */
    record Acquire(
            BrowserSpec.@Nullable Viewport viewport,
            @Nullable String userAgent,

            @JsonProperty("setExtraHTTPHeaders") @Nullable Map<String, String> setExtraHTTPHeaders,

            @Nullable Long idleTimeoutMs) {}

    /** Opens a session for the caller on a live browser worker. */
    BrowserSessionStore.Session acquire(Caller caller, Acquire request) {
        BrowserSpecParser.checkViewport(request.viewport());
        Duration idle = idleTimeout(request.idleTimeoutMs());
        Instant now = clock.instant();
        String workerId = place(now);
        String id = "bss-" + UUID.randomUUID();
        // the account's place is taken first: two acquires at once cannot both pass its most
        if (!store.open(
                BrowserSessionStore.Session.opening(id, caller.accountId(), workerId, idle, now),
                settings.maxPerAccount(),
                now)) {
            throw new ApiException(
                    HttpStatus.TOO_MANY_REQUESTS,
                    "SESSION_LIMIT",
                    "the account holds its most open browser sessions (" + settings.maxPerAccount() + ")",
                    "release one (DELETE /browser/sessions/{id}; GET /browser/sessions lists them), or let one idle"
                            + " out",
                    null);
        }
        BrowserSpec spec = BrowserSpec.sessionControl(
                BrowserOperation.ACQUIRE,
                id,
                request.viewport(),
                request.userAgent(),
                BrowserSpecParser.headers(request.setExtraHTTPHeaders()),
                idle.toMillis(),
                OPENING.toMillis());
        try {
            SyncJobs.resultOf(sync.await(sync.submitToWorker(sync.prepare(caller, spec, false), workerId)));
        } catch (RuntimeException e) {
            store.end(caller.accountId(), id, clock.instant());
            throw e;
        }
        Instant opened = clock.instant();
        store.opened(id, opened);
        return new BrowserSessionStore.Session(id, caller.accountId(), workerId, idle, now, opened, opened, null);
    }

    /** Runs a job in the caller's session, on its worker; completes with its end. */
    JobFinished run(Caller caller, BrowserSpec spec) {
        BrowserSessionStore.Session session = openOn(caller, spec.sessionId()).session();
        JobFinished finished = sync.await(sync.submitToWorker(sync.prepare(caller, spec, false), session.workerId()));
        if (finished.error() != null && "SESSION_GONE".equals(finished.error().code())) {
            store.end(caller.accountId(), session.sessionId(), clock.instant());
            throw gone(session.sessionId(), finished.error().message());
        }
        store.used(session.sessionId(), clock.instant());
        return finished;
    }

    /** Ends the caller's session, on its worker when that still runs; answers it as it ended. */
    BrowserSessionStore.Session release(Caller caller, String sessionId) {
        BrowserSessionStore.Session session = openOn(caller, sessionId).session();
        BrowserSpec spec = BrowserSpec.sessionControl(
                BrowserOperation.RELEASE, sessionId, null, null, Map.of(), null, OPENING.toMillis());
        try {
            SyncJobs.resultOf(sync.await(sync.submitToWorker(sync.prepare(caller, spec, false), session.workerId())));
        } catch (RuntimeException e) {
            store.end(caller.accountId(), sessionId, clock.instant());
            throw e;
        }
        Instant at = clock.instant();
        return store.end(caller.accountId(), sessionId, at)
                .orElseThrow(() -> gone(sessionId, "another call released it meanwhile"));
    }

    List<BrowserSessionStore.Session> list(Caller caller) {
        return store.open(caller.accountId(), clock.instant());
    }

    BrowserSessionSettings settings() {
        return settings;
    }

    private Duration idleTimeout(@Nullable Long ms) {
        if (ms == null) {
            return settings.defaultIdleTimeout();
        }
        if (ms < 1_000 || ms > settings.maxIdleTimeout().toMillis()) {
            throw ApiException.invalidField(
                    "idleTimeoutMs",
                    "idleTimeoutMs must be between 1000 and "
                            + settings.maxIdleTimeout().toMillis() + ", not " + ms,
                    "send how long the session lives without a call, or leave it out for "
                            + settings.defaultIdleTimeout().toMillis());
        }
        return Duration.ofMillis(ms);
    }

    /** A session and the tunnel listener of the worker it runs on. */
    record Reachable(BrowserSessionStore.Session session, WorkerHeartbeat.Tunnel tunnel) {}

    /** The caller's open session and the way to its browser, for {@code connect}. */
    Reachable reach(Caller caller, String sessionId) {
        Live live = openOn(caller, sessionId);
        WorkerHeartbeat.Tunnel tunnel = live.worker().tunnel();
        if (tunnel == null) {
            throw gone(sessionId, "its worker takes no connections");
        }
        return new Reachable(live.session(), tunnel);
    }

    /** An open session and the live worker it runs on. */
    private record Live(BrowserSessionStore.Session session, WorkerStore.Worker worker) {}

    /** The caller's open session, on a live worker. */
    private Live openOn(Caller caller, String sessionId) {
        Instant now = clock.instant();
        BrowserSessionStore.Session session = store.find(caller.accountId(), sessionId, now)
                .orElseThrow(() -> new ApiException(
                        HttpStatus.NOT_FOUND,
                        "SESSION_NOT_FOUND",
                        "no open browser session " + sessionId
                                + ": it was released, idled past its timeout, or is not this account's",
                        "acquire a new one: POST /browser/acquire",
                        "sessionId"));
        Optional<WorkerStore.Worker> worker = workers.find(session.workerId());
        if (worker.isEmpty()) {
            store.end(caller.accountId(), sessionId, now);
            throw gone(sessionId, "its worker stopped");
        }
        return new Live(session, worker.get());
    }

    /** 410 {@code SESSION_GONE}: the session ended with its worker, or its worker no longer has it. */
    static ApiException gone(String sessionId, String why) {
        return new ApiException(
                HttpStatus.GONE,
                "SESSION_GONE",
                "browser session " + sessionId + " has ended: " + why,
                "acquire a new one: POST /browser/acquire (what the session held is gone)",
                "sessionId");
    }

    /** The live browser worker with the fewest open sessions. */
    private String place(Instant now) {
        List<String> browserWorkers = workers.live().stream()
                .filter(w -> w.capacity().stream().anyMatch(c -> c.kind().equals(BrowserKind.KIND)))
                .map(WorkerStore.Worker::workerId)
                .toList();
        Map<String, Integer> sessions = store.openPerWorker(browserWorkers, now);
        Optional<String> fewest =
                browserWorkers.stream().min(Comparator.comparingInt(w -> sessions.getOrDefault(w, 0)));
        return fewest.orElseThrow(() -> new ApiException(
                HttpStatus.SERVICE_UNAVAILABLE,
                "NO_WORKER",
                "no worker runs browser jobs right now",
                "retry in a few seconds; GET /health shows whether workers are up",
                null));
    }
}
