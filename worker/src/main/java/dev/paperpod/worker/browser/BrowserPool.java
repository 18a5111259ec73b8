package dev.paperpod.worker.browser;

import dev.paperpod.worker.WorkerProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warm browsers, ready before a job asks: up to {@code minIdle} started and connected, at most {@code max} in all. A
 * job takes one and opens a fresh context in it (nothing of one job — cookies, storage, cache — is seen by the next);
 * a browser is replaced after {@code contextsPerBrowser} jobs, after a job that did not end cleanly, or when its
 * connection drops (a crash, the memory ceiling). Making a browser takes a second or two, in the background. Between
 * jobs a browser closes the last job's context and opens a spare page for the next one, after the job's answer.
 */
public final class BrowserPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BrowserPool.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** How many jobs before a browser's last its successor is made, when the pool has room for one. */
    private static final int SUCCESSOR_AHEAD = 5;

    private final BrowserContainers containers;
    private final WorkerProperties.Browser settings;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<PooledBrowser> idle = new ArrayDeque<>(); // guarded by lock
    private final List<PooledBrowser> busy = new ArrayList<>(); // guarded by lock
    private int starting; // guarded by lock
    private int preparing; // guarded by lock: back from a job, its spare page being opened
    private boolean closed; // guarded by lock
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "browser-pool");
        t.setDaemon(true);
        return t;
    });
    /** Prepares browsers back from a job, each on its own thread, so one slow browser holds up no other. */
    private final ExecutorService preparer = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "browser-prepare");
        t.setDaemon(true);
        return t;
    });

    public BrowserPool(BrowserContainers containers, WorkerProperties.Browser settings, MeterRegistry metrics) {
        this.containers = containers;
        this.settings = settings;
        Gauge.builder("paperpod.browser.pool.idle", this, p -> p.counts()[0]).register(metrics);
        Gauge.builder("paperpod.browser.pool.busy", this, p -> p.counts()[1]).register(metrics);
        Gauge.builder("paperpod.browser.pool.starting", this, p -> p.counts()[2])
                .register(metrics);
    }

    /** Starts filling the pool to {@code minIdle}. */
    public void start() {
        background.execute(this::fill);
    }

    /** Idle, busy and starting browsers (those being prepared count as busy), read together. */
    public int[] counts() {
        lock.lock();
        try {
            return new int[] {idle.size(), busy.size() + preparing, starting};
        } finally {
            lock.unlock();
        }
    }

    public int max() {
        return settings.max();
    }

    /**
     * A warm browser for one job, waiting up to {@code timeout} for one to be free; made on the spot when none is idle
     * and the pool is below its ceiling.
     *
     * @return null when every browser stayed busy for the whole wait
     * @throws BrowserException when one cannot be made
     */
    public @Nullable PooledBrowser claim(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new BrowserException("this worker is stopping");
                }
                PooledBrowser b = idle.pollFirst();
                if (b != null) {
                    if (b.connected()) {
                        busy.add(b);
                        return b;
                    }
                    retire(b, "its connection dropped while idle");
                    continue;
                }
                // one back from a job is ready within a page's opening: sooner than a browser made anew
                if (preparing == 0 && total() < settings.max()) {
                    starting++;
                    break; // made below, outside the lock
                }
                if (left <= 0) {
                    return null;
                }
                left = changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
        PooledBrowser made = makeStarting();
        lock.lock();
        try {
            starting--;
            busy.add(made);
            return made;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives a browser back after a job.
     *
     * @param reusable whether the job ended cleanly (its context closed), so the browser may serve the next one
     */
    public void release(PooledBrowser browser, boolean reusable) {
        lock.lock();
        try {
            busy.remove(browser);
            if (closed || !reusable || !browser.connected() || browser.contexts() >= settings.contextsPerBrowser()) {
                retire(
                        browser,
                        !reusable
                                ? "its job did not end cleanly"
                                : !browser.connected() ? "its connection dropped" : "it served its contexts");
                changed.signalAll();
                if (!closed) {
                    background.execute(this::fill);
                }
                return;
            }
            preparing++;
            if (browser.contexts() >= settings.contextsPerBrowser() - SUCCESSOR_AHEAD
                    && idle.isEmpty()
                    && starting == 0
                    && total() < settings.max()) {
                // its end is near: its successor is made now, so no job waits for a browser's start then
                starting++;
                background.execute(this::successor);
            }
        } finally {
            lock.unlock();
        }
        preparer.execute(() -> prepared(browser));
    }

    /** Makes one browser more, whatever {@code minIdle} says (counted in {@code starting} by the caller). */
    private void successor() {
        try {
            makeIdle();
        } catch (RuntimeException e) {
            log.warn("Cannot make the successor of a browser near its end: {}", e.getMessage());
        }
    }

    /**
     * Makes a browser and puts it with the idle ones; the caller counted it in {@code starting}, which this uncounts
     * whatever happens.
     *
     * @return false when the pool closed meanwhile (the browser is ended)
     * @throws RuntimeException when it cannot be made
     */
    private boolean makeIdle() {
        PooledBrowser b = makeStarting();
        lock.lock();
        try {
            starting--;
            if (closed) {
                destroy(b);
                return false;
            }
            idle.addLast(b);
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Closes the last job's context and opens the spare page, then makes the browser idle again. */
    private void prepared(PooledBrowser browser) {
        RuntimeException failed = null;
        try {
            browser.prepare();
        } catch (RuntimeException e) {
            failed = e;
        }
        lock.lock();
        try {
            preparing--;
            if (failed == null && !closed) {
                idle.addFirst(browser); // the most recently used first: its caches are warm
            } else {
                retire(browser, failed == null ? "the pool is closing" : "it could not be prepared: " + failed);
                if (!closed) {
                    background.execute(this::fill);
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Ends a browser at once, whoever holds it (a canceled job): the job's next call fails. */
    public void kill(PooledBrowser browser) {
        containers.destroy(browser.container());
    }

    /** Keeps {@code minIdle} browsers ready, backing off while they cannot be made. */
    private void fill() {
        Duration backoff = Duration.ofMillis(500);
        while (true) {
            lock.lock();
            try {
                if (closed || idle.size() + starting + preparing >= settings.minIdle() || total() >= settings.max()) {
                    return;
                }
                starting++;
            } finally {
                lock.unlock();
            }
            try {
                if (!makeIdle()) {
                    return;
                }
                backoff = Duration.ofMillis(500);
            } catch (RuntimeException e) {
                log.warn("Cannot make a warm browser (next try in {} ms): {}", backoff.toMillis(), e.getMessage());
                try {
                    TimeUnit.MILLISECONDS.sleep(backoff.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /** Makes a browser counted in {@code starting}; uncounts it when it cannot be made (the callers do on success). */
    private PooledBrowser makeStarting() {
        try {
            return make();
        } catch (RuntimeException e) {
            lock.lock();
            try {
                starting--;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            throw e;
        }
    }

    private PooledBrowser make() {
        BrowserContainers.Container container = containers.create();
        try {
            PooledBrowser b =
                    PooledBrowser.connect(container, settings.readyTimeout().toMillis());
            try {
                b.prepare(); // its first job's page, opened now
            } catch (RuntimeException e) {
                b.disconnect();
                throw new BrowserException("browser " + b.id() + " opened no page: " + e.getMessage(), e);
            }
            log.info("Browser {} is ready", b.id());
            return b;
        } catch (RuntimeException e) {
            containers.destroy(container);
            throw e;
        }
    }

    private int total() {
        return idle.size() + busy.size() + starting + preparing;
    }

    /** Called with the lock held; the container is removed in the background. */
    private void retire(PooledBrowser b, String why) {
        log.info("Replacing browser {}: {}", b.id(), why);
        if (!background.isShutdown()) {
            background.execute(() -> destroy(b));
        } else {
            destroy(b);
        }
    }

    private void destroy(PooledBrowser b) {
        b.disconnect();
        containers.destroy(b.container());
    }

    @Override
    public void close() {
        List<PooledBrowser> all;
        lock.lock();
        try {
            closed = true;
            all = new ArrayList<>(idle);
            all.addAll(busy);
            idle.clear();
            busy.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        background.shutdownNow();
        preparer.shutdownNow();
        all.forEach(this::destroy);
    }
}
