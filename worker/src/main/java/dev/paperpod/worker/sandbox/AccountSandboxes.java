package dev.paperpod.worker.sandbox;

import dev.paperpod.schemas.job.Egress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accounts' own sandboxes this worker hosts, by account and name (ADR 8): the first command that names one makes
 * it, later ones find it, with its files and processes, until it is reset, idles past {@code idleTimeout}, or its
 * agent is lost. Unlike a pool sandbox it is never reset between jobs and never passes to anyone else. It is made on
 * the network its first command asks for (the account's setting), or the worker's default, and keeps it.
 */
public final class AccountSandboxes implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AccountSandboxes.class);

    private final Map<Egress, Maker> makers;
    private final Egress defaultNetwork;
    private final Duration idleTimeout;
    private final int max;
    private final Clock clock;
    private final Map<Key, Hosted> hosted = new ConcurrentHashMap<>();
    private final ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "account-sandbox-expiry");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    /**
     * Where the sandboxes of one network come from and go back to.
     *
     * @param make makes a ready sandbox ({@link ReadySandboxes#make}), or throws {@link SandboxException}
     * @param runtime destroys what ends here
     */
    public record Maker(Supplier<Sandbox> make, SandboxRuntime runtime) {}

    /**
     * @param makers a maker for each network
     * @param defaultNetwork the network of a sandbox whose first command names none
     */
    public AccountSandboxes(
            Map<Egress, Maker> makers, Egress defaultNetwork, Duration idleTimeout, int max, Clock clock) {
        if (!makers.containsKey(defaultNetwork)) {
            throw new IllegalArgumentException("no maker for the default network " + defaultNetwork);
        }
        this.makers = new EnumMap<>(makers);
        this.defaultNetwork = defaultNetwork;
        this.idleTimeout = idleTimeout;
        this.max = max;
        this.clock = clock;
    }

    public record Key(UUID accountId, String name) {}

    /** Looks for idle sandboxes a few times per idle timeout (at most every 30 s). */
    public void start() {
        long every = Math.max(1, Math.min(idleTimeout.toMillis() / 4, 30_000));
        expiry.scheduleWithFixedDelay(
                () -> {
                    try {
                        expireIdle();
                    } catch (RuntimeException e) {
                        log.warn("Ending idle account sandboxes failed: {}", e.toString());
                    }
                },
                every,
                every,
                TimeUnit.MILLISECONDS);
    }

    /** One hosted sandbox; its sandbox is made once, by the first caller, while the others wait for it. */
    public final class Hosted {
        private final Key key;
        private final Egress network;
        private volatile @Nullable Sandbox sandbox; // written under this
        private volatile Instant lastUsedAt;
        private int inUse; // guarded by this

        private Hosted(Key key, Egress network) {
            this.key = key;
            this.network = network;
            this.lastUsedAt = clock.instant();
        }

        public Sandbox sandbox() {
            Sandbox s = sandbox;
            if (s == null) {
                throw new IllegalStateException("not made yet");
            }
            return s;
        }

        /** What the sandbox reaches, as it was made. */
        public Egress network() {
            return network;
        }

        public Instant lastUsedAt() {
            return lastUsedAt;
        }

        public Instant idleExpiresAt() {
            return lastUsedAt.plus(idleTimeout);
        }

        /** Done with it: it stays, and its idle time counts from now. */
        public void release() {
            synchronized (this) { // with expireIdle's look: never idle by the old time while no longer in use
                lastUsedAt = clock.instant();
                inUse--;
            }
        }
    }

    /**
     * The account's sandbox of this name, made when there is none, held until {@link Hosted#release}.
     *
     * @param network what it reaches if it is made now (null: the worker's default); one that exists keeps its own
     * @throws SandboxesBusyException when this worker hosts {@code max} sandboxes already
     * @throws SandboxException when it cannot be made
     * @throws IllegalArgumentException when this worker makes no sandboxes on {@code network}
     */
    public Hosted acquire(UUID accountId, String name, @Nullable Egress network) {
        Egress on = network == null ? defaultNetwork : network;
        Maker maker = makers.get(on);
        if (maker == null) {
            throw new IllegalArgumentException("this worker makes no sandboxes on network " + on);
        }
        Key key = new Key(accountId, name);
        while (true) {
            if (closed) {
                throw new SandboxException("this worker is stopping");
            }
            Hosted h = hosted.get(key);
            if (h == null) {
                if (hosted.size() >= max) {
                    throw new SandboxesBusyException("this worker hosts " + max
                            + " account sandboxes, its most (paperpod.worker.account-sandbox.max)");
                }
                Hosted made = new Hosted(key, on);
                h = hosted.putIfAbsent(key, made);
                if (h == null) {
                    h = made;
                }
            }
            synchronized (h) {
                if (hosted.get(key) != h) {
                    continue; // it ended meanwhile: look again
                }
                if (h.sandbox == null) {
                    try {
                        h.sandbox = makers.get(h.network).make().get();
                    } catch (RuntimeException e) {
                        hosted.remove(key, h);
                        throw e;
                    }
                    log.info(
                            "Made sandbox {} for account {} ({}, network {})",
                            h.sandbox.id(),
                            accountId,
                            name,
                            h.network.wireName());
                }
                h.inUse++;
                h.lastUsedAt = clock.instant();
                return h;
            }
        }
    }

    /**
     * The sandbox of this id, held like {@link #acquire} (so it does not expire idle while held) until
     * {@link Hosted#release}, if this worker hosts it now: a live preview connection holds it for as long as it lasts.
     */
    public @Nullable Hosted hold(String sandboxId) {
        for (Hosted h : hosted.values()) {
            synchronized (h) {
                Sandbox s = h.sandbox;
                if (s != null && s.id().equals(sandboxId) && hosted.get(h.key) == h) {
                    h.inUse++;
                    h.lastUsedAt = clock.instant();
                    return h;
                }
            }
        }
        return null;
    }

    /** The account's sandbox of this name, if this worker hosts it now. */
    public @Nullable Hosted find(UUID accountId, String name) {
        Hosted h = hosted.get(new Key(accountId, name));
        return h == null || h.sandbox == null ? null : h;
    }

    /**
     * Ends the account's sandbox of this name, when there is one, whatever runs in it; the next {@link #acquire}
     * makes a new one.
     */
    public void end(UUID accountId, String name) {
        Hosted h = hosted.remove(new Key(accountId, name));
        if (h != null) {
            destroy(h, "ended");
        }
    }

    /** Ends {@code h} if it is still the one hosted under its key: its agent stopped answering. */
    public void lost(Hosted h) {
        if (hosted.remove(h.key, h)) {
            destroy(h, "lost");
        }
    }

    /** Ends the sandboxes nobody used for {@code idleTimeout} (none while a call holds it). Returns how many. */
    public int expireIdle() {
        Instant now = clock.instant();
        int ended = 0;
        for (Hosted h : hosted.values()) {
            synchronized (h) {
                if (h.inUse > 0 || h.sandbox == null || now.isBefore(h.idleExpiresAt())) {
                    continue;
                }
                hosted.remove(h.key, h);
            }
            destroy(h, "idle since " + h.lastUsedAt);
            ended++;
        }
        return ended;
    }

    public int count() {
        return hosted.size();
    }

    @Override
    public void close() {
        closed = true;
        expiry.shutdownNow();
        List<Hosted> all = new ArrayList<>(hosted.values());
        hosted.clear();
        all.forEach(h -> destroy(h, "worker stopping"));
    }

    private void destroy(Hosted h, String why) {
        Sandbox s;
        synchronized (h) {
            s = h.sandbox;
            h.sandbox = null;
        }
        if (s != null) {
            log.info("Ending sandbox {} of account {} ({}): {}", s.id(), h.key.accountId(), h.key.name(), why);
            makers.get(h.network).runtime().destroy(s);
        }
    }
}
