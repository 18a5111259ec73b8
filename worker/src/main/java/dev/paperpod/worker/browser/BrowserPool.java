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
 * connection drops (a crash, the memory ceiling). Making a browser takes a second or two, in the background.
 */
public final class BrowserPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BrowserPool.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final BrowserContainers containers;
    private final WorkerProperties.Browser settings;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<PooledBrowser> idle = new ArrayDeque<>(); // guarded by lock
    private final List<PooledBrowser> busy = new ArrayList<>(); // guarded by lock
    private int starting; // guarded by lock
    private boolean closed; // guarded by lock
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "browser-pool");
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

    /** Idle, busy and starting browsers, read together. */
    public int[] counts() {
        lock.lock();
        try {
            return new int[] {idle.size(), busy.size(), starting};
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
                if (total() < settings.max()) {
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
        PooledBrowser made;
        try {
            made = make();
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
            if (!closed && reusable && browser.connected() && browser.contexts() < settings.contextsPerBrowser()) {
                idle.addFirst(browser); // the most recently used first: its caches are warm
                changed.signalAll();
                return;
            }
            retire(
                    browser,
                    !reusable
                            ? "its job did not end cleanly"
                            : !browser.connected() ? "its connection dropped" : "it served its contexts");
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (!isClosed()) {
            background.execute(this::fill);
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
                if (closed || idle.size() + starting >= settings.minIdle() || total() >= settings.max()) {
                    return;
                }
                starting++;
            } finally {
                lock.unlock();
            }
            try {
                PooledBrowser b = make();
                lock.lock();
                try {
                    starting--;
                    if (closed) {
                        destroy(b);
                        return;
                    }
                    idle.addLast(b);
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
                backoff = Duration.ofMillis(500);
            } catch (RuntimeException e) {
                lock.lock();
                try {
                    starting--;
                } finally {
                    lock.unlock();
                }
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

    private PooledBrowser make() {
        BrowserContainers.Container container = containers.create();
        try {
            PooledBrowser b =
                    PooledBrowser.connect(container, settings.readyTimeout().toMillis());
            log.info("Browser {} is ready", b.id());
            return b;
        } catch (RuntimeException e) {
            containers.destroy(container);
            throw e;
        }
    }

    private int total() {
        return idle.size() + busy.size() + starting;
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

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
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
        all.forEach(this::destroy);
    }
}
