package dev.paperpod.worker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.paperpod.messaging.DeadLetters;
import dev.paperpod.messaging.ListenerThreads;
import dev.paperpod.messaging.TopicsConfig;
import dev.paperpod.schemas.job.Egress;
import dev.paperpod.worker.exec.ExecJobRunner;
import dev.paperpod.worker.exec.ExecRunner;
import dev.paperpod.worker.jobs.JobCancels;
import dev.paperpod.worker.jobs.JobEventPublisher;
import dev.paperpod.worker.jobs.JobProcessor;
import dev.paperpod.worker.jobs.JobRunner;
import dev.paperpod.worker.jobs.WorkerHeartbeats;
import dev.paperpod.worker.metrics.MetricsEndpoint;
import dev.paperpod.worker.sandbox.PodmanSandboxRuntime;
import dev.paperpod.worker.sandbox.SandboxPool;
import dev.paperpod.worker.sandbox.SandboxPools;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.FixedBackOff;

@Configuration(proxyBeanMethods = false)
@Import({TopicsConfig.class, ListenerThreads.class})
class WorkerConfig {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    String workerId(WorkerProperties properties) {
        String id = properties.id();
        return id != null && !id.isBlank()
                ? id
                : "worker-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Bean(destroyMethod = "close")
    DockerClient dockerClient(WorkerProperties properties) {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(properties.dockerHost())
                .build();
        ZerodepDockerHttpClient http = new ZerodepDockerHttpClient.Builder()
                .dockerHost(URI.create(properties.dockerHost()))
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofSeconds(60))
                .maxConnections(32)
                .build();
        return DockerClientImpl.getInstance(config, http);
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    SandboxPools sandboxPools(
            DockerClient docker, WorkerProperties properties, String workerId, Clock clock, MeterRegistry metrics) {
        WorkerProperties.Sandbox isolated = properties.sandbox();
        WorkerProperties.Sandbox outside = isolated.forFullEgress();
        PodmanSandboxRuntime noNetwork = new PodmanSandboxRuntime(docker, isolated, "none", workerId, clock);
        PodmanSandboxRuntime network =
                new PodmanSandboxRuntime(docker, outside, isolated.egressNetwork(), workerId, clock);
        noNetwork.checkImage();
        return new SandboxPools(
                Map.of(
                        Egress.NONE, new SandboxPool(noNetwork, isolated, clock, metrics, "none"),
                        Egress.FULL, new SandboxPool(network, outside, clock, metrics, "full")),
                noNetwork,
                properties.reapInterval());
    }

    @Bean
    PrometheusMeterRegistry meterRegistry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    @Bean
    MetricsEndpoint metricsEndpoint(PrometheusMeterRegistry registry, WorkerProperties properties) {
        return new MetricsEndpoint(registry, properties.metricsHost(), properties.metricsPort());
    }

    @Bean
    JobCancels jobCancels() {
        return new JobCancels();
    }

    /** The exec kind: code in the warm sandbox pools. */
    @Bean
    ExecJobRunner execJobRunner(SandboxPools pools, WorkerProperties properties, Clock clock) {
        return new ExecJobRunner(
                pools, new ExecRunner(clock, properties.sandbox().outputLimit().toBytes()), properties);
    }

    /** Runs the jobs of every kind whose runner is a bean of this context. */
    @Bean
    JobProcessor jobProcessor(
            List<JobRunner> runners,
            JobEventPublisher events,
            JobCancels cancels,
            String workerId,
            WorkerProperties properties,
            ScheduledThreadPoolExecutor eventTimer,
            Clock clock) {
        return new JobProcessor(runners, events, cancels, workerId, properties.eventHold(), eventTimer, clock);
    }

    /** Sends the held start and the coalesced output of runs when their time comes (see {@code RunReporter}). */
    @Bean(destroyMethod = "shutdownNow")
    ScheduledThreadPoolExecutor eventTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "job-event-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true); // most runs end before their timer: don't keep thousands of them queued
        return timer;
    }

    @Bean
    WorkerHeartbeats workerHeartbeats(
            KafkaTemplate<String, byte[]> kafka,
            List<JobRunner> runners,
            String workerId,
            WorkerProperties properties,
            Clock clock) {
        return new WorkerHeartbeats(kafka, runners, workerId, properties, clock);
    }

    /**
     * A record whose processing threw goes to its topic's dead-letter topic ({@code <topic>.dlt}, with the error in
     * its headers) and the partition moves on. Never re-run: running user code twice is worse than a job left to
     * the scheduler's sweeper, which retries it when its worker's end never arrives.
     */
    @Bean
    DefaultErrorHandler jobErrorHandler(KafkaTemplate<String, byte[]> kafka) {
        return new DefaultErrorHandler(DeadLetters.recoverer(kafka), new FixedBackOff(0, 0));
    }

    @Bean
    KafkaTemplate<String, byte[]> kafkaTemplate(ProducerFactory<String, byte[]> producers) {
        return new KafkaTemplate<>(producers);
    }
}
