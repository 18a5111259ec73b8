package dev.paperpod.worker.sandbox;

import dev.paperpod.agent.client.ExecCommand;
import dev.paperpod.worker.WorkerProperties;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warm sandboxes, ready before a job asks: up to {@code minIdle} are kept started with their agent answering, and
 * at most {@code max} exist at once. A claim takes a ready one (checked with a ping, about a millisecond), or
 * creates one when none is ready and the ceiling allows, or waits. A released sandbox is destroyed, never handed
 * to another job, and the pool refills in the background.
 */
public final class SandboxPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SandboxPool.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final ExecCommand WARM_UP = ExecCommand.shell("true", 5_000);

    private final SandboxRuntime runtime;
    private final WorkerProperties.Sandbox settings;
    private final BlockingDeque<Sandbox> ready = new LinkedBlockingDeque<>();
    private final Set<Sandbox> busy = ConcurrentHashMap.newKeySet();
    /** Sandboxes that exist or are being created: ready + busy + creating + being destroyed. */
    private final AtomicInteger total = new AtomicInteger();

    private final AtomicInteger creating = new AtomicInteger();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final ScheduledThreadPoolExecutor background;
    private volatile boolean closed;

    public SandboxPool(SandboxRuntime runtime, WorkerProperties.Sandbox settings) {
        this.runtime = runtime;
        this.settings = settings;
        this.background = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "sandbox-pool");
            t.setDaemon(true);
            return t;
        });
        // Refills scheduled for later are dropped at close; creations under way finish and are destroyed.
        this.background.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Starts filling the pool. */
    public void start() {
        refill();
    }

    /**
     * A sandbox for one job, to be given back with {@link #release}.
     *
     * @throws SandboxException when none can be had within {@code timeout}
     */
    public Sandbox claim(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        SandboxException lastFailure = null;
        while (!closed) {
            Sandbox sandbox = ready.pollFirst();
            // Create on the spot at most once per claim: a failing runtime should not be hammered.
            if (sandbox == null && lastFailure == null && reserve()) {
                try {
                    sandbox = createReady();
                } catch (SandboxException e) {
                    lastFailure = e;
                }
            }
            if (sandbox == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    sandbox = ready.pollFirst(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SandboxException("interrupted while waiting for a sandbox");
                }
                if (sandbox == null) {
                    continue;
                }
            }
            if (alive(sandbox)) {
                busy.add(sandbox);
                refill();
                return sandbox;
            }
            log.warn("Sandbox {} stopped answering while idle; replacing it", sandbox.id());
            discard(sandbox);
        }
        String why = lastFailure != null ? ": " + lastFailure.getMessage() : "";
        throw new SandboxException(
                "no sandbox within " + timeout.toMillis() + " ms (" + busy.size() + " busy of " + settings.max() + ")"
                        + why,
                lastFailure);
    }

    /** Gives a claimed sandbox back; it is destroyed and a fresh one takes its place. */
    public void release(Sandbox sandbox) {
        busy.remove(sandbox);
        discard(sandbox);
    }

    public int readyCount() {
        return ready.size();
    }

    public int busyCount() {
        return busy.size();
    }

    public int max() {
        return settings.max();
    }

    @Override
    public void close() {
        closed = true;
        background.shutdown();
        try {
            // Interrupting a creation could leave a container half made; let it finish (it destroys itself).
            background.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Sandbox> all = new ArrayList<>(ready);
        all.addAll(busy);
        ready.clear();
        busy.clear();
        all.parallelStream().forEach(runtime::destroy);
    }

    private void discard(Sandbox sandbox) {
        if (closed) {
            runtime.destroy(sandbox);
            return;
        }
        background.execute(() -> {
            try {
                runtime.destroy(sandbox);
            } finally {
                total.decrementAndGet();
                refill();
            }
        });
    }

    /** Starts creating sandboxes until {@code minIdle} are ready or on their way, within the ceiling. */
    private void refill() {
        while (!closed && ready.size() + creating.get() < settings.minIdle() && reserve()) {
            creating.incrementAndGet();
            int failures = consecutiveFailures.get();
            long delayMs = failures == 0 ? 0 : Math.min(MAX_BACKOFF.toMillis(), 250L << Math.min(failures, 10));
            background.schedule(this::createInBackground, delayMs, TimeUnit.MILLISECONDS);
        }
    }

    private void createInBackground() {
        try {
            Sandbox sandbox = createReady();
            consecutiveFailures.set(0);
            if (closed) {
                runtime.destroy(sandbox);
            } else {
                ready.addLast(sandbox);
            }
        } catch (RuntimeException e) {
            int failures = consecutiveFailures.incrementAndGet();
            log.error("Cannot create a warm sandbox (failure {} in a row): {}", failures, e.getMessage());
        } finally {
            creating.decrementAndGet();
        }
        refill();
    }

    private boolean reserve() {
        while (true) {
            int n = total.get();
            if (n >= settings.max()) {
                return false;
            }
            if (total.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Creates a sandbox and waits for its agent; gives back the reserved slot when that fails. */
    private Sandbox createReady() {
        Sandbox sandbox;
        try {
            sandbox = runtime.create();
        } catch (RuntimeException e) {
            total.decrementAndGet();
            throw e instanceof SandboxException se ? se : new SandboxException(e.getMessage(), e);
        }
        long deadline = System.nanoTime() + settings.agentReadyTimeout().toNanos();
        while (!alive(sandbox)) {
            if (System.nanoTime() > deadline) {
                runtime.destroy(sandbox);
                total.decrementAndGet();
                throw new SandboxException("the agent of sandbox " + sandbox.id() + " did not answer within "
                        + settings.agentReadyTimeout().toSeconds() + " s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        warmUp(sandbox);
        return sandbox;
    }

    /**
     * Runs one trivial command before the sandbox is handed out: the agent's first run in a fresh JVM loads and
     * links the process machinery (about 50-100 ms), and that cost belongs to the pool's background, not to the
     * first job.
     */
    private static void warmUp(Sandbox sandbox) {
        try {
            sandbox.agent().exec(WARM_UP, (isStderr, data, offset, length) -> {}, Duration.ofSeconds(10));
        } catch (IOException e) {
            log.warn("Warm-up run in sandbox {} failed: {}", sandbox.id(), e.toString());
        }
    }

    private static boolean alive(Sandbox sandbox) {
        try {
            sandbox.agent().ping(Duration.ofSeconds(2));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
