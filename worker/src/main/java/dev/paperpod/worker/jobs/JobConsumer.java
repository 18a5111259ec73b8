package dev.paperpod.worker.jobs;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.ConsumerFactory;

/**
 * Takes background jobs of one kind from its topic with one consumer ({@link JobConsumers} makes one per kind) and
 * runs up to {@code concurrency} of them at once on runner threads, whatever partitions they came from: a job waits only for a free runner, never behind one job in
 * particular, and the worker's next job is usually fetched before its last one ends.
 *
 * <p>A record counts as done once its handler returned (the job's end durably on Kafka, see {@link JobListener}).
 * Offsets are committed per partition up to the first record not yet done, right after each end, so a worker that
 * dies leaves exactly the jobs it had not ended to the partition's next owner. A partition taken away in a
 * rebalance first sees its running jobs end and their offsets committed; the jobs it had fetched but not started
 * are left to the new owner. A record whose handler throws goes to the topic's dead-letter topic and counts as
 * done (never run again, as with the sync listener's error handler).
 */
public final class JobConsumer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobConsumer.class);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);

    /** Runs one record to its end. */
    @FunctionalInterface
    public interface Handler {
        void handle(ConsumerRecord<String, byte[]> record) throws InterruptedException;
    }

    private final ConsumerFactory<String, byte[]> consumers;
    private final String topic;
    private final String groupId;
    private final int concurrency;
    /** Records fetched and not yet done above which the consumer stops fetching. */
    private final int maxInFlight;

    private final Handler handler;
    private final BiConsumer<ConsumerRecord<?, ?>, Exception> deadLetters;
    private final Duration shutdownTimeout;

    /** Records fetched and not yet done or dropped. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Records done since the start; polling thread only. */
    private long ended;
    /** Commits sent since the start; polling thread only. */
    private long commitsSent;
    /** Every fetched record not yet committed, per partition, in offset order; only the polling thread touches it. */
    private final Map<TopicPartition, ArrayDeque<Entry>> progress = new HashMap<>();
    /** Offsets to commit, not yet sent; polling thread only. */
    private final Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>();
    /** Whether an asynchronous commit awaits its answer; polling thread only (callbacks run inside poll). */
    private boolean committing;

    private volatile @Nullable Consumer<String, byte[]> consumer;
    private volatile @Nullable ExecutorService runners;
    private volatile @Nullable Thread poller;
    private volatile boolean running;
    private volatile boolean pauseRequested;
    private volatile boolean paused;
    /** Whether a rebalance is waiting for running jobs of revoked partitions to end. */
    private volatile boolean handingOver;
    /** Whether the consumer's partitions are paused now (by a request or for back-pressure); polling thread only. */
    private boolean holding;

    public JobConsumer(
            ConsumerFactory<String, byte[]> consumers,
            String topic,
            String groupId,
            int concurrency,
            Handler handler,
            BiConsumer<ConsumerRecord<?, ?>, Exception> deadLetters,
            Duration shutdownTimeout,
            MeterRegistry metrics) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("paperpod.worker.concurrency must be at least 1, was " + concurrency);
        }
        this.consumers = consumers;
        this.topic = topic;
        this.groupId = groupId;
        this.concurrency = concurrency;
        this.maxInFlight = 2 * concurrency;
        this.handler = handler;
        this.deadLetters = deadLetters;
        this.shutdownTimeout = shutdownTimeout;
        Gauge.builder("paperpod.worker.jobs.in.flight", inFlight, AtomicInteger::get)
                .description("background job records fetched and not yet ended (running or waiting for a runner)")
                .tag("topic", topic)
                .register(metrics);
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        AtomicInteger threads = new AtomicInteger();
        runners = new ThreadPoolExecutor(
                concurrency, concurrency, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, topic + "-runner-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        running = true;
        Thread t = new Thread(this::pollLoop, topic + "-poll");
        t.setDaemon(true);
        poller = t;
        t.start();
    }

    /**
     * Stops fetching, lets the running jobs end (up to the shutdown timeout) and commits them; jobs fetched and not
     * started are left to the partitions' next owners.
     */
    @Override
    public synchronized void stop() {
        Thread t = poller;
        if (!running || t == null) {
            return;
        }
        running = false;
        wake();
        try {
            t.join(shutdownTimeout.toMillis() + 10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        poller = null;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops taking new records (those fetched keep running) until {@link #resume()}; see {@link #isPaused()}. */
    public void pause() {
        pauseRequested = true;
        wake();
    }

    public void resume() {
        pauseRequested = false;
        wake();
    }

    /** Whether a {@link #pause()} has taken effect: no poll hands out another record until resumed. */
    public boolean isPaused() {
        return paused;
    }

    /** Whether a rebalance took partitions away and waits for their running jobs to end. */
    boolean isHandingOver() {
        return handingOver;
    }

    /** Consumes until stopped; a consumer that fails (a commit refused after a rebalance, say) is replaced. */
    private void pollLoop() {
        Properties overrides = new Properties();
        overrides.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxInFlight));
        try {
            while (running) {
                try {
                    Consumer<String, byte[]> c = consumers.createConsumer(groupId, null, "-" + topic, overrides);
                    consumer = c;
                    try {
                        consume(c);
                    } finally {
                        close(c);
                    }
                } catch (RuntimeException e) {
                    log.error("The consumer of {} failed; replacing it in a second", topic, e);
                    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
                }
            }
        } finally {
            requireRunners().shutdownNow();
            log.info("Stopped taking jobs from {}: {} ended, {} commits", topic, ended, commitsSent);
        }
    }

    private void consume(Consumer<String, byte[]> c) {
        c.subscribe(List.of(topic), new Rebalance(c));
        while (running) {
            ConsumerRecords<String, byte[]> records;
            try {
                records = c.poll(POLL_TIMEOUT);
            } catch (WakeupException e) {
                records = ConsumerRecords.empty();
            }
            for (ConsumerRecord<String, byte[]> record : records) {
                Entry entry = new Entry(record);
                progress.computeIfAbsent(entry.partition, tp -> new ArrayDeque<>())
                        .add(entry);
                inFlight.incrementAndGet();
                requireRunners().execute(() -> run(entry));
            }
            advance();
            commitAsync(c);
            hold(c);
        }
    }

    /** Runs on a runner thread. */
    private void run(Entry entry) {
        if (!entry.start()) {
            return;
        }
        try {
            handler.handle(entry.record);
        } catch (InterruptedException e) {
            // Shut down before the job ended: it stays uncommitted, for the partition's next owner.
            Thread.currentThread().interrupt();
            entry.end(false);
            return;
        } catch (RuntimeException | Error e) {
            RuntimeException cause = e instanceof RuntimeException r ? r : new IllegalStateException(e.toString(), e);
            if (!deadLetter(entry.record, cause)) {
                entry.end(false);
                return;
            }
        }
        entry.end(true);
    }

    /**
     * Sends a record that could not be processed to the dead-letter topic, trying again while the worker runs: the
     * partition's commits wait for it. Returns whether it was sent.
     */
    private boolean deadLetter(ConsumerRecord<String, byte[]> record, RuntimeException cause) {
        log.error(
                "Job record {}-{}@{} could not be processed, dead-lettering it: {}",
                record.topic(),
                record.partition(),
                record.offset(),
                cause.toString());
        for (long backoff = 100; ; backoff = Math.min(backoff * 2, 5_000)) {
            try {
                deadLetters.accept(record, cause);
                return true;
            } catch (RuntimeException e) {
                if (!running) {
                    return false;
                }
                log.warn(
                        "Dead-lettering {}-{}@{} failed, retrying: {}",
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        e.toString());
                try {
                    TimeUnit.MILLISECONDS.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    /**
     * Drops the done records at the head of each partition; where a head moved, its offset (the first record not
     * done, or one past the last done) is to be committed.
     */
    private void advance() {
        for (Map.Entry<TopicPartition, ArrayDeque<Entry>> p : progress.entrySet()) {
            ArrayDeque<Entry> entries = p.getValue();
            long next = -1;
            while (!entries.isEmpty() && entries.peekFirst().isDone()) {
                next = entries.pollFirst().record.offset() + 1;
                ended++;
            }
            if (next >= 0) {
                toCommit.put(p.getKey(), new OffsetAndMetadata(next));
            }
        }
    }

    /**
     * Sends what is to commit unless a commit is under way: one at a time, so under load each commit carries the
     * ends of several jobs, while a lone end is committed at once.
     */
    private void commitAsync(Consumer<String, byte[]> c) {
        if (committing || toCommit.isEmpty()) {
            return;
        }
        committing = true;
        commitsSent++;
        c.commitAsync(Map.copyOf(toCommit), (offsets, e) -> {
            committing = false;
            if (e != null) {
                log.warn("Committing {} failed, trying again: {}", offsets, e.toString());
                offsets.forEach(toCommit::putIfAbsent); // unless a later offset of the partition is due anyway
            }
            if (!toCommit.isEmpty()) {
                wake(); // the loop sends what came meanwhile
            }
        });
        toCommit.clear();
    }

    /** Commits what is to commit of {@code partitions} and waits, through wake-ups meant for the polling loop. */
    private void commitSync(Consumer<String, byte[]> c, Collection<TopicPartition> partitions) {
        advance();
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>(toCommit);
        commits.keySet().retainAll(partitions);
        partitions.forEach(toCommit::remove);
        if (commits.isEmpty()) {
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                c.commitSync(commits);
                commitsSent++;
                return;
            } catch (WakeupException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /** Pauses fetching while a pause is asked or enough records wait; resumes otherwise. */
    private void hold(Consumer<String, byte[]> c) {
        boolean hold = pauseRequested || inFlight.get() >= maxInFlight;
        if (hold && !holding) {
            c.pause(c.assignment());
        } else if (!hold && holding) {
            c.resume(c.paused());
        }
        holding = hold;
        paused = hold && pauseRequested;
    }

    private void close(Consumer<String, byte[]> c) {
        try {
            progress.values().forEach(entries -> entries.forEach(Entry::drop));
            awaitEnds(progress.values().stream().flatMap(Collection::stream).toList(), shutdownTimeout);
            commitSync(c, List.copyOf(progress.keySet()));
        } catch (RuntimeException e) {
            log.warn("Could not commit the last ended jobs of {}: {}", topic, e.toString());
        } finally {
            progress.clear(); // close() revokes the partitions again: nothing is left to wait for
            toCommit.clear();
            committing = false;
            holding = false;
            consumer = null;
            c.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            paused = false;
        }
    }

    /** Waits for the running ones among {@code entries} to end, up to {@code timeout} in all. */
    private static void awaitEnds(List<Entry> entries, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Entry entry : entries) {
            try {
                entry.ended.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                log.warn(
                        "Job record {}-{}@{} still running after {}; leaving it uncommitted",
                        entry.record.topic(),
                        entry.record.partition(),
                        entry.record.offset(),
                        timeout);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private void wake() {
        Consumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    private ExecutorService requireRunners() {
        ExecutorService r = runners;
        if (r == null) {
            throw new IllegalStateException("not started");
        }
        return r;
    }

    /** Runs inside {@code poll}, on the polling thread. */
    private final class Rebalance implements ConsumerRebalanceListener {

        private final Consumer<String, byte[]> c;

        Rebalance(Consumer<String, byte[]> c) {
            this.c = c;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            List<Entry> running = partitions.stream()
                    .map(progress::get)
                    .filter(entries -> entries != null)
                    .flatMap(entries -> {
                        entries.forEach(Entry::drop);
                        return entries.stream();
                    })
                    .toList();
            if (!running.isEmpty()) {
                log.info("Partitions {} revoked: waiting for their running jobs to end", partitions);
            }
            // Bounded by the jobs' own timeouts; the group waits up to max.poll.interval.ms for this member.
            handingOver = true;
            try {
                awaitEnds(running, Duration.ofDays(1));
            } finally {
                handingOver = false;
            }
            commitSync(c, partitions);
            partitions.forEach(progress::remove);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // No longer ours: others may run these records already, so nothing is committed for them.
            for (TopicPartition tp : partitions) {
                toCommit.remove(tp);
                ArrayDeque<Entry> entries = progress.remove(tp);
                if (entries != null) {
                    entries.forEach(Entry::drop);
                }
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (holding) {
                c.pause(partitions);
            }
        }
    }

    /** A fetched record and where it stands: queued for a runner, running, done, or dropped (left uncommitted). */
    private final class Entry {

        private static final int QUEUED = 0;
        private static final int RUNNING = 1;
        private static final int DONE = 2;
        private static final int LEFT = 3;

        final ConsumerRecord<String, byte[]> record;
        final TopicPartition partition;
        final AtomicInteger state = new AtomicInteger(QUEUED);
        /** Completes when the record is done or left; at once when dropped before it started. */
        final CompletableFuture<Void> ended = new CompletableFuture<>();

        Entry(ConsumerRecord<String, byte[]> record) {
            this.record = record;
            this.partition = new TopicPartition(record.topic(), record.partition());
        }

        /** Whether the runner may run it: not dropped meanwhile. */
        boolean start() {
            return state.compareAndSet(QUEUED, RUNNING);
        }

        /** Leaves a record not yet started to the partition's next owner. */
        void drop() {
            if (state.compareAndSet(QUEUED, LEFT)) {
                inFlight.decrementAndGet();
                ended.complete(null);
            }
        }

        void end(boolean done) {
            state.set(done ? DONE : LEFT);
            inFlight.decrementAndGet();
            ended.complete(null);
            wake();
        }

        boolean isDone() {
            return state.get() == DONE;
        }
    }
}
