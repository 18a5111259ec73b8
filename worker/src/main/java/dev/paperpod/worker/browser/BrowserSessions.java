package dev.paperpod.worker.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.PlaywrightException;
import dev.paperpod.schemas.browser.BrowserSpec;
import dev.paperpod.worker.jobs.JobFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The browser sessions this worker runs: each a browser container of its own (never one a pool job or another
 * account uses), one context and its open page, kept between calls until released, idle past its timeout, or this
 * worker stops. One call at a time uses a session; the next waits for it. Once a session has been opened here,
 * {@code spares} browsers no one has used are kept started for the next ones: a container's start (2–3 s) is then
 * made while no one waits.
 */
final class BrowserSessions implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BrowserSessions.class);
    private static final Duration REAP_EVERY = Duration.ofSeconds(1);

    private final BrowserContainers containers;
    private final int max;
    private final int spares;
    /** Started browsers no session has used, for the next to open; filled once one has been. */
    private final Deque<PooledBrowser> ready = new ConcurrentLinkedDeque<>();

    private final AtomicInteger making = new AtomicInteger();
    private volatile boolean closed;
    private final ExecutorService spareMaker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "browser-session-spare");
        t.setDaemon(true);
        return t;
    });
    private final Duration readyTimeout;
    private final Duration claimTimeout;
    private final Clock clock;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "browser-sessions");
        t.setDaemon(true);
        return t;
    });

    BrowserSessions(
            BrowserContainers containers,
            int max,
            int spares,
            Duration readyTimeout,
            Duration claimTimeout,
            Clock clock) {
        this.containers = containers;
        this.max = max;
        this.spares = spares;
        this.readyTimeout = readyTimeout;
        this.claimTimeout = claimTimeout;
        this.clock = clock;
        reaper.scheduleWithFixedDelay(
                this::reapIdle, REAP_EVERY.toMillis(), REAP_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A session: its own browser, context and page; used by one call at a time. */
    static final class Session {
        final String id;
        final UUID accountId;
        /** Null while its browser starts (a placeholder), as are the browser, context and page. */
        final PooledBrowser pooled;

        final Browser browser;
        final BrowserContext context;
        final Page page;
        final Duration idleTimeout;
        /** One call at a time; taken and given back by whichever threads a call runs on. */
        final Semaphore inUse = new Semaphore(1);

        /** Clients of the account's own driving the browser ({@code connect}): the session does not idle meanwhile. */
        final AtomicInteger connected = new AtomicInteger();

        volatile Instant lastUsed;

        Session(
                String id,
                UUID accountId,
                PooledBrowser pooled,
                Browser browser,
                BrowserContext context,
                Page page,
                Duration idleTimeout,
                Instant now) {
            this.id = id;
            this.accountId = accountId;
            this.pooled = pooled;
            this.browser = browser;
            this.context = context;
            this.page = page;
            this.idleTimeout = idleTimeout;
            this.lastUsed = now;
        }
    }

    /**
     * Opens session {@code id} for the account: a new browser container, and a context with the spec's viewport, user
     * agent and headers. Opening the same id again (a retried call) answers the open one.
     *
     * @throws JobFailure {@code SESSION_LIMIT} when this worker runs its most sessions, {@code BROWSER_UNAVAILABLE}
     *     when no browser could be started
     */
    void open(String id, UUID accountId, BrowserSpec spec) throws JobFailure {
        synchronized (this) {
            Session known = sessions.get(id);
            if (known != null && known.accountId.equals(accountId)) {
                return;
            }
            if (sessions.size() >= max) {
                throw new JobFailure(
                        "SESSION_LIMIT",
                        "this worker runs its most browser sessions (" + max
                                + ", paperpod.worker.browser.max-sessions)",
                        true);
            }
            sessions.put(id, placeholder(id, accountId));
        }
        PooledBrowser pooled = null;
        try {
            pooled = spare();
            if (pooled == null) {
                pooled = start();
            }
            Browser browser = pooled.take();
            BrowserContext context = browser.newContext(BrowserPages.contextOptions(spec));
            Session session = new Session(
                    id,
                    accountId,
                    pooled,
                    browser,
                    context,
                    context.newPage(),
                    Duration.ofMillis(spec.idleTimeoutMs() == null ? 300_000 : spec.idleTimeoutMs()),
                    clock.instant());
            sessions.put(id, session);
            log.info("Browser session {} of account {} is open on {}", id, accountId, pooled.id());
            if (spares > 0 && !closed) {
                spareMaker.execute(this::makeSpares); // after this one's start: the two do not share the CPU
            }
        } catch (RuntimeException e) {
            sessions.remove(id);
            if (pooled != null) {
                destroy(pooled); // its context did not open: a browser no one can use
            }
            throw new JobFailure(
                    "BROWSER_UNAVAILABLE",
                    "the session's browser did not start: " + PooledBrowser.firstLine(e),
                    true,
                    e);
        }
    }

    /** A started browser no one has used, when there is one. */
    private @Nullable PooledBrowser spare() {
        PooledBrowser spare;
        while ((spare = ready.pollFirst()) != null && !spare.connected()) {
            log.info("Spare session browser {} stopped answering", spare.id());
            destroy(spare);
        }
        return spare;
    }

    /** Starts browsers until {@code spares} are ready (or being made). */
    private void makeSpares() {
        while (!closed && ready.size() + making.get() < spares) {
            making.incrementAndGet();
            try {
                PooledBrowser made = start();
                ready.addLast(made);
                if (closed && ready.remove(made)) {
                    destroy(made);
                }
            } catch (RuntimeException e) {
                log.warn("Cannot start a spare session browser: {}", PooledBrowser.firstLine(e));
                return; // the next session's opening tries again
            } finally {
                making.decrementAndGet();
            }
        }
    }

    /** A browser container of its own, started and connected. */
    private PooledBrowser start() {
        BrowserContainers.Container container = containers.create();
        try {
            return PooledBrowser.connect(container, readyTimeout.toMillis());
        } catch (RuntimeException e) {
            containers.destroy(container);
            throw e;
        }
    }

    private void destroy(PooledBrowser browser) {
        browser.disconnect();
        containers.destroy(browser.container());
    }

    /** Holds the place of a session whose browser is starting: counted, and not found by calls yet. */
    private static Session placeholder(String id, UUID accountId) {
        return new Session(id, accountId, null, null, null, null, Duration.ZERO, Instant.MAX);
    }

    /**
     * The account's session, held for one call (waiting for the call before it), or null when there is none.
     *
     * @throws JobFailure {@code SESSION_BUSY} when the call before holds it past the claim timeout
     */
    @Nullable
    Session take(String id, UUID accountId) throws JobFailure {
        Session session = sessions.get(id);
        if (session == null || session.page == null || !session.accountId.equals(accountId)) {
            return null;
        }
        try {
            if (!session.inUse.tryAcquire(claimTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new JobFailure.Busy(
                        "SESSION_BUSY",
                        "another call holds session " + id + " past " + claimTimeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobFailure("INTERRUPTED", "the worker is stopping", true, e);
        }
        if (sessions.get(id) != session) {
            session.inUse.release();
            return null; // ended while this call waited
        }
        session.page.unrouteAll();
        return session;
    }

    /** The account's session, for a client of its own to drive its browser; null when there is none. */
    @Nullable
    Session connect(String id, UUID accountId) {
        Session session = sessions.get(id);
        if (session == null || session.page == null || !session.accountId.equals(accountId)) {
            return null;
        }
        session.connected.incrementAndGet();
        return session;
    }

    /** A client's connection to the session ended; its idle time starts now unless another is still there. */
    void disconnected(Session session) {
        session.lastUsed = clock.instant();
        session.connected.decrementAndGet();
    }

    /** The call is done with the session; its idle time starts now. */
    void giveBack(Session session) {
        session.lastUsed = clock.instant();
        session.inUse.release();
    }

    /** Ends the account's session; answers whether there was one. */
    boolean end(String id, UUID accountId) {
        Session session = sessions.get(id);
        if (session == null || session.page == null || !session.accountId.equals(accountId)) {
            return false;
        }
        return end(session, "released");
    }

    /** Ends a session whatever holds it (a canceled call, a browser that broke). */
    boolean end(Session session, String why) {
        if (!sessions.remove(session.id, session)) {
            return false;
        }
        log.info("Browser session {} ended: {}", session.id, why);
        destroy(session.pooled);
        return true;
    }

    private void reapIdle() {
        Instant now = clock.instant();
        for (Session session : List.copyOf(sessions.values())) {
            if (session.page == null || session.inUse.availablePermits() == 0 || session.connected.get() > 0) {
                continue;
            }
            if (!session.lastUsed.plus(session.idleTimeout).isAfter(now)) {
                end(session, "idle for " + session.idleTimeout.toSeconds() + " s");
            } else if (!session.browser.isConnected()) {
                end(session, "its browser stopped answering");
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        reaper.shutdownNow();
        spareMaker.shutdownNow();
        for (PooledBrowser spare; (spare = ready.pollFirst()) != null; ) {
            destroy(spare);
        }
        for (Session session : List.copyOf(sessions.values())) {
            if (session.page != null) {
                try {
                    end(session, "the worker is stopping");
                } catch (PlaywrightException | IllegalStateException e) {
                    log.debug("Ending session {}: {}", session.id, e.toString());
                }
            }
        }
    }
}
