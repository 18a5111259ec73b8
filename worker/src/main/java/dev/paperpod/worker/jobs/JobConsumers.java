package dev.paperpod.worker.jobs;

import dev.paperpod.messaging.DeadLetters;
import dev.paperpod.schemas.Topics;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.worker.WorkerProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.stereotype.Component;

/**
 * The consumers of every job kind this worker runs (a {@link JobRunner} bean each): the kind's background jobs
 * through a {@link JobConsumer} of {@code paperpod.jobs.<kind>} with the runner's concurrency, its sync jobs through a
 * listener container of {@code paperpod.jobs.<kind>.sync} with the runner's sync concurrency — one topic and its own
 * threads each, so a kind whose jobs wait never holds another's back. Each kind's consumers form a consumer group of
 * their own ({@link #group}): a rebalance waits for the running jobs of the partitions it takes away (so none runs
 * twice), and a kind's long jobs must not hold up the rebalances of another kind.
 */
@Component
public final class JobConsumers implements SmartLifecycle {

    /**
     * The workers' consumer group of a kind's topics: {@code paperpod-workers-<kind>}, and for exec, the first kind,
     * {@code paperpod-workers} (the group its offsets were committed under before there were other kinds).
     */
    public static String group(JobKind kind) {
        return kind.equals(JobKind.EXEC) ? "paperpod-workers" : "paperpod-workers-" + kind.wireName();
    }

    private final Map<JobKind, JobConsumer> background = new LinkedHashMap<>();
    private final List<ConcurrentMessageListenerContainer<String, byte[]>> sync = new ArrayList<>();
    private volatile boolean running;

    JobConsumers(
            List<JobRunner> runners,
            JobListener jobs,
            ConsumerFactory<String, byte[]> consumers,
            ConcurrentKafkaListenerContainerFactory<String, byte[]> containers,
            KafkaTemplate<String, byte[]> kafka,
            WorkerProperties properties,
            MeterRegistry metrics) {
        if (runners.isEmpty()) {
            throw new IllegalStateException("this worker has no job runner: it would take no jobs");
        }
        for (JobRunner runner : runners) {
            background.put(
                    runner.kind(),
                    new JobConsumer(
                            consumers,
                            Topics.jobs(runner.kind()),
                            group(runner.kind()),
                            runner.concurrency(),
                            jobs::process,
                            DeadLetters.recoverer(kafka),
                            properties.shutdownTimeout(),
                            metrics));
            ConcurrentMessageListenerContainer<String, byte[]> container =
                    containers.createContainer(Topics.syncJobs(runner.kind()));
            container.getContainerProperties().setGroupId(group(runner.kind()));
            container.getContainerProperties().setMessageListener((MessageListener<String, byte[]>)
                    record -> run(jobs, record));
            container.setConcurrency(runner.syncConcurrency());
            container.setBeanName(runner.kind() + "-sync-jobs");
            sync.add(container);
        }
    }

    private static void run(JobListener jobs, ConsumerRecord<String, byte[]> record) {
        try {
            jobs.process(record);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopping: the record stays uncommitted for the next owner
            throw new IllegalStateException("interrupted while running a sync job", e);
        }
    }

    /** The background consumer of {@code kind}'s jobs (tests pause it). */
    public JobConsumer of(JobKind kind) {
        JobConsumer consumer = background.get(kind);
        if (consumer == null) {
            throw new IllegalArgumentException("this worker runs no jobs of kind " + kind);
        }
        return consumer;
    }

    @Override
    public synchronized void start() {
        background.values().forEach(JobConsumer::start);
        sync.forEach(ConcurrentMessageListenerContainer::start);
        running = true;
    }

    /** Stops every kind's consumers side by side: each lets its running jobs end, up to the shutdown timeout. */
    @Override
    public synchronized void stop() {
        running = false;
        List<Thread> stopping = new ArrayList<>();
        for (SmartLifecycle part : parts()) {
            Thread t = new Thread(part::stop, "stop-" + part);
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private List<SmartLifecycle> parts() {
        List<SmartLifecycle> parts = new ArrayList<>(background.values());
        parts.addAll(sync);
        return parts;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
