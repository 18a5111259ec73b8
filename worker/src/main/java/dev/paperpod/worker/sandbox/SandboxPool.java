package dev.paperpod.worker.sandbox;

import dev.paperpod.agent.client.ResetOutcome;
import dev.paperpod.worker.WorkerProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warm sandboxes, ready before a job asks.
 *
 * <ul>
 *   <li>Fresh: up to {@code minIdle} are kept started, agent answering and warmed up; at most {@code max} exist.
 *   <li>Claim: an idle sandbox this account used before (reset), else a fresh one (checked with a ping, about a
 *       millisecond), else one created on the spot, else — at the ceiling — another account's idle sandbox is
 *       destroyed to make room; otherwise the claim waits.
 *   <li>Release: a sandbox whose run ended normally is reset by its agent (every process killed, the writable
 *       directories wiped, both verified) and kept for the same account only, at most {@code reusePerAccount} of
 *       them, for {@code reuseIdleTimeout}; anything else, or a reset that does not verify, is destroyed.
 * </ul>
 *
 * A sandbox never passes from one account to another.
 */
public final class SandboxPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SandboxPool.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration AGENT_CALL = Duration.ofSeconds(10);
    private static final Duration RESET_WAIT = Duration.ofMillis(250);

    private final SandboxRuntime runtime;
    private final ReadySandboxes ready;
    private final WorkerProperties.Sandbox settings;
    private final Clock clock;
    private final BlockingDeque<Sandbox> fresh = new LinkedBlockingDeque<>();
    /** Idle sandboxes reset for reuse by one account, oldest first; guarded by itself. */
    private final Map<UUID, Deque<Idle>> reusable = new HashMap<>();

    private final Set<Sandbox> busy = ConcurrentHashMap.newKeySet();
    /** Sandboxes that exist or are being created or destroyed: the ceiling counts them all. */
    private final AtomicInteger total = new AtomicInteger();

    private final AtomicInteger creating = new AtomicInteger();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final ScheduledThreadPoolExecutor background;
    /** Resets run apart from creations, which take hundreds of milliseconds each, so they never queue behind them. */
    private final ExecutorService resets;
    /** Sandboxes being reset, per account; guarded by {@link #reusable}. */
    private final Map<UUID, Integer> resetting = new HashMap<>();

    private volatile boolean closed;

    private record Idle(Sandbox sandbox, Instant since) {}

    private final Timer claims;
    private final Timer creations;
    private final Counter creationFailures;
    private final Counter resetFailures;

    /** @param metrics gets the pool's gauges, timers and counters, tagged with {@code pool} */
    public SandboxPool(
            SandboxRuntime runtime,
            WorkerProperties.Sandbox settings,
            Clock clock,
            MeterRegistry metrics,
            String name) {
        this.runtime = runtime;
        this.ready = new ReadySandboxes(runtime, settings.agentReadyTimeout());
        this.settings = settings;
        this.clock = clock;
        Tags tags = Tags.of("pool", name);
        Gauge.builder("paperpod.sandbox.pool.ready", this, SandboxPool::readyCount)
                .description("sandboxes waiting for a job: fresh, or kept for an account")
                .tags(tags)
                .register(metrics);
        Gauge.builder("paperpod.sandbox.pool.busy", this, SandboxPool::busyCount)
                .description("sandboxes running a job")
                .tags(tags)
                .register(metrics);
        Gauge.builder("paperpod.sandbox.pool.size", total, AtomicInteger::get)
                .description("sandboxes that exist or are being created or destroyed")
                .tags(tags)
                .register(metrics);
        Gauge.builder("paperpod.sandbox.pool.max", this, SandboxPool::max)
                .tags(tags)
                .register(metrics);
        claims = Timer.builder("paperpod.sandbox.claim")
                .description("time to hand a job a sandbox")
                .tags(tags)
                .publishPercentileHistogram()
                .register(metrics);
        creations = Timer.builder("paperpod.sandbox.create")
                .description("time to make a sandbox ready: container, agent, warm-up, reset")
                .tags(tags)
                .publishPercentileHistogram()
                .register(metrics);
        creationFailures =
                Counter.builder("paperpod.sandbox.create.failures").tags(tags).register(metrics);
        resetFailures =
                Counter.builder("paperpod.sandbox.reset.failures").tags(tags).register(metrics);
        this.background = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "sandbox-pool");
            t.setDaemon(true);
            return t;
        });
        // Refills scheduled for later are dropped at close; creations under way finish and are destroyed.
        this.background.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.resets = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "sandbox-reset");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts filling the pool and expiring idle sandboxes. */
    public void start() {
        refill();
        long every = Math.max(1_000, settings.reuseIdleTimeout().toMillis() / 4);
        background.scheduleWithFixedDelay(this::expireIdle, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * A sandbox for one job of {@code account}, to be given back with {@link #release}.
     *
     * @throws SandboxException when none can be had within {@code timeout}
     */
    public Sandbox claim(UUID account, Duration timeout) {
        long started = System.nanoTime();
        Sandbox sandbox = claimWithin(account, timeout);
        claims.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        return sandbox;
    }

    private Sandbox claimWithin(UUID account, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        SandboxException lastFailure = null;
        while (!closed) {
            Sandbox sandbox = takeReusable(account, deadline);
            if (sandbox == null) {
                sandbox = fresh.pollFirst();
            }
            // Create on the spot at most once per claim: a failing runtime should not be hammered.
            if (sandbox == null && lastFailure == null && (reserve() || evictIdleOfAnotherAccount(account))) {
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
                    sandbox = fresh.pollFirst(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SandboxException("interrupted while waiting for a sandbox");
                }
                if (sandbox == null) {
                    continue;
                }
            }
            if (ReadySandboxes.alive(sandbox)) {
                busy.add(sandbox);
                refill();
                return sandbox;
            }
            log.warn("Sandbox {} stopped answering while idle; replacing it", sandbox.id());
            discard(sandbox);
        }
        if (closed) {
            throw new SandboxException("the sandbox pool is closed");
        }
        String within =
                "no sandbox within " + timeout.toMillis() + " ms (" + busy.size() + " busy of " + settings.max() + ")";
        if (lastFailure != null) {
            throw new SandboxException(within + ": " + lastFailure.getMessage(), lastFailure);
        }
        if (busy.size() >= settings.max()) {
            throw new SandboxesBusyException(within);
        }
        throw new SandboxException(within + ": the sandboxes being made did not come in time");
    }

    /**
     * Gives a claimed sandbox back.
     *
     * @param reusable whether the run ended normally, so the sandbox may be reset and kept for the same account
     */
    public void release(Sandbox sandbox, UUID account, boolean reusable) {
        busy.remove(sandbox);
        if (!reusable || closed || settings.reusePerAccount() == 0) {
            discard(sandbox);
            return;
        }
        synchronized (this.reusable) {
            resetting.merge(account, 1, Integer::sum);
        }
        resets.execute(() -> resetForReuse(sandbox, account));
    }

    /** Sandboxes waiting for a job: fresh ones and those kept for an account. */
    public int readyCount() {
        synchronized (reusable) {
            return fresh.size()
                    + reusable.values().stream().mapToInt(Deque::size).sum();
        }
    }

    /** Idle sandboxes kept for this account. */
    public int reusableCount(UUID account) {
        synchronized (reusable) {
            Deque<Idle> idle = reusable.get(account);
            return idle == null ? 0 : idle.size();
        }
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
        resets.shutdown();
        background.shutdown();
        try {
            // Interrupting a creation could leave a container half made; let it finish (it destroys itself).
            resets.awaitTermination(30, TimeUnit.SECONDS);
            background.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Sandbox> all = new ArrayList<>(fresh);
        synchronized (reusable) {
            reusable.values().forEach(idle -> idle.forEach(i -> all.add(i.sandbox())));
            reusable.clear();
        }
        all.addAll(busy);
        fresh.clear();
        busy.clear();
        all.parallelStream().forEach(runtime::destroy);
    }

    private void resetForReuse(Sandbox sandbox, UUID account) {
        try {
            resetAndKeep(sandbox, account);
        } finally {
            synchronized (reusable) {
                resetting.computeIfPresent(account, (a, n) -> n > 1 ? n - 1 : null);
                reusable.notifyAll();
            }
        }
    }

    private void resetAndKeep(Sandbox sandbox, UUID account) {
        try {
            ResetOutcome reset = sandbox.agent().reset(AGENT_CALL);
            if (!reset.verified()) {
                resetFailures.increment();
                log.warn("Reset of sandbox {} did not verify ({}); destroying it", sandbox.id(), reset.problem());
                discard(sandbox);
                return;
            }
        } catch (IOException e) {
            resetFailures.increment();
            log.warn("Cannot reset sandbox {}: {}; destroying it", sandbox.id(), e.toString());
            discard(sandbox);
            return;
        }
        Sandbox surplus = null;
        synchronized (reusable) {
            if (closed) {
                surplus = sandbox;
            } else {
                Deque<Idle> idle = reusable.computeIfAbsent(account, a -> new ArrayDeque<>());
                idle.addLast(new Idle(sandbox, clock.instant()));
                if (idle.size() > settings.reusePerAccount()) {
                    surplus = idle.pollFirst().sandbox();
                }
            }
        }
        if (surplus != null) {
            discard(surplus);
        }
    }

    /**
     * The account's most recently used idle sandbox. When none is idle but some are being reset, waits for them
     * (a reset takes milliseconds) rather than spend a fresh sandbox, up to {@link #RESET_WAIT}.
     */
    private @Nullable Sandbox takeReusable(UUID account, long claimDeadline) {
        long deadline = Math.min(claimDeadline, System.nanoTime() + RESET_WAIT.toNanos());
        synchronized (reusable) {
            while (true) {
                Deque<Idle> idle = reusable.get(account);
                Idle newest = idle == null ? null : idle.pollLast();
                if (idle != null && idle.isEmpty()) {
                    reusable.remove(account);
                }
                if (newest != null) {
                    return newest.sandbox();
                }
                long left = deadline - System.nanoTime();
                if (!resetting.containsKey(account) || left <= 0 || closed) {
                    return null;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(reusable, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
    }

    /**
     * At the ceiling, room for this account is made by destroying the longest-idle sandbox kept for another one.
     * Returns true with a slot reserved.
     */
    private boolean evictIdleOfAnotherAccount(UUID account) {
        Idle oldest = null;
        synchronized (reusable) {
            UUID owner = null;
            for (Map.Entry<UUID, Deque<Idle>> e : reusable.entrySet()) {
                Idle first = e.getValue().peekFirst();
                if (!e.getKey().equals(account)
                        && first != null
                        && (oldest == null || first.since().isBefore(oldest.since()))) {
                    oldest = first;
                    owner = e.getKey();
                }
            }
            if (oldest == null) {
                return false;
            }
            Deque<Idle> idle = reusable.get(owner);
            idle.pollFirst();
            if (idle.isEmpty()) {
                reusable.remove(owner);
            }
        }
        runtime.destroy(oldest.sandbox()); // its slot passes straight to the caller
        return true;
    }

    private void expireIdle() {
        Instant cutoff = clock.instant().minus(settings.reuseIdleTimeout());
        List<Sandbox> expired = new ArrayList<>();
        synchronized (reusable) {
            for (Iterator<Deque<Idle>> accounts = reusable.values().iterator(); accounts.hasNext(); ) {
                Deque<Idle> idle = accounts.next();
                while (!idle.isEmpty() && idle.peekFirst().since().isBefore(cutoff)) {
                    expired.add(idle.pollFirst().sandbox());
                }
                if (idle.isEmpty()) {
                    accounts.remove();
                }
            }
        }
        expired.forEach(this::discard);
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

    /** Starts creating sandboxes until {@code minIdle} fresh ones are ready or on their way, within the ceiling. */
    private void refill() {
        while (!closed && fresh.size() + creating.get() < settings.minIdle() && reserve()) {
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
                fresh.addLast(sandbox);
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

    /**
     * Creates a sandbox, waits for its agent, seals its socket directory and warms the agent up; gives back the
     * reserved slot when that fails.
     */
    private Sandbox createReady() {
        long started = System.nanoTime();
        try {
            Sandbox sandbox = makeReady();
            creations.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            return sandbox;
        } catch (RuntimeException e) {
            creationFailures.increment();
            throw e;
        }
    }

    private Sandbox makeReady() {
        try {
            return ready.make();
        } catch (RuntimeException e) {
            total.decrementAndGet();
            throw e;
        }
    }
}
