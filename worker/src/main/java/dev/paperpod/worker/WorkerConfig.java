package dev.paperpod.worker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.paperpod.artifacts.ArtifactStore;
import dev.paperpod.artifacts.FileArtifactStore;
import dev.paperpod.messaging.DeadLetters;
import dev.paperpod.messaging.ListenerThreads;
import dev.paperpod.messaging.TopicsConfig;
import dev.paperpod.schemas.Topics;
import dev.paperpod.schemas.job.Egress;
import dev.paperpod.worker.account.SandboxCommands;
import dev.paperpod.worker.account.SandboxTopic;
import dev.paperpod.worker.account.TunnelRoute;
import dev.paperpod.worker.account.TunnelServer;
import dev.paperpod.worker.browser.BrowserConfig;
import dev.paperpod.worker.exec.ExecJobRunner;
import dev.paperpod.worker.exec.ExecRunner;
import dev.paperpod.worker.jobs.JobArtifacts;
import dev.paperpod.worker.jobs.JobCancels;
import dev.paperpod.worker.jobs.JobEventPublisher;
import dev.paperpod.worker.jobs.JobListener;
import dev.paperpod.worker.jobs.JobProcessor;
import dev.paperpod.worker.jobs.JobRunner;
import dev.paperpod.worker.jobs.WorkerHeartbeats;
import dev.paperpod.worker.metrics.MetricsEndpoint;
import dev.paperpod.worker.sandbox.AccountSandboxes;
import dev.paperpod.worker.sandbox.PodmanSandboxRuntime;
import dev.paperpod.worker.sandbox.ReadySandboxes;
import dev.paperpod.worker.sandbox.SandboxPool;
import dev.paperpod.worker.sandbox.SandboxPools;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.FixedBackOff;

@Configuration(proxyBeanMethods = false)
@Import({TopicsConfig.class, ListenerThreads.class, BrowserConfig.class})
class WorkerConfig {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Where the files jobs give are kept, for the api to serve: {@code paperpod.artifacts.dir}. */
    @Bean
    ArtifactStore artifactStore(@Value("${paperpod.artifacts.dir}") Path dir) {
        return new FileArtifactStore(dir);
    }

    @Bean
    JobArtifacts jobArtifacts(ArtifactStore store, @Value("${paperpod.artifacts.ttl}") Duration ttl, Clock clock) {
        return new JobArtifacts(store, ttl, clock);
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

    /** Sandboxes with no network at all. */
    @Bean
    PodmanSandboxRuntime isolatedRuntime(
            DockerClient docker, WorkerProperties properties, String workerId, Clock clock) {
        PodmanSandboxRuntime runtime = new PodmanSandboxRuntime(docker, properties.sandbox(), "none", workerId, clock);
        runtime.checkImage();
        return runtime;
    }

    /** Sandboxes on the egress network: the internet, never the control plane. */
    @Bean
    PodmanSandboxRuntime egressRuntime(DockerClient docker, WorkerProperties properties, String workerId, Clock clock) {
        WorkerProperties.Sandbox isolated = properties.sandbox();
        return new PodmanSandboxRuntime(docker, isolated.forFullEgress(), isolated.egressNetwork(), workerId, clock);
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    SandboxPools sandboxPools(
            PodmanSandboxRuntime isolatedRuntime,
            PodmanSandboxRuntime egressRuntime,
            WorkerProperties properties,
            Clock clock,
            MeterRegistry metrics) {
        WorkerProperties.Sandbox isolated = properties.sandbox();
        return new SandboxPools(
                Map.of(
                        Egress.NONE, new SandboxPool(isolatedRuntime, isolated, clock, metrics, "none"),
                        Egress.FULL, new SandboxPool(egressRuntime, isolated.forFullEgress(), clock, metrics, "full")),
                isolatedRuntime,
                properties.reapInterval());
    }

    /**
     * The accounts' own sandboxes this worker hosts, on the network each account's setting names (the deployment's
     * when it names none).
     */
    @Bean(initMethod = "start", destroyMethod = "close")
    AccountSandboxes accountSandboxes(
            PodmanSandboxRuntime isolatedRuntime,
            PodmanSandboxRuntime egressRuntime,
            WorkerProperties properties,
            Clock clock) {
        WorkerProperties.AccountSandbox settings = properties.accountSandbox();
        Duration agentReady = properties.sandbox().agentReadyTimeout();
        return new AccountSandboxes(
                Map.of(
                        Egress.NONE,
                        new AccountSandboxes.Maker(
                                new ReadySandboxes(isolatedRuntime, agentReady)::make, isolatedRuntime),
                        Egress.FULL,
                        new AccountSandboxes.Maker(new ReadySandboxes(egressRuntime, agentReady)::make, egressRuntime)),
                accountEgress(properties),
                settings.idleTimeout(),
                settings.max(),
                clock);
    }

    private static Egress accountEgress(WorkerProperties properties) {
        String network = properties.accountSandbox().network();
        return switch (network) {
            case "full" -> Egress.FULL;
            case "none" -> Egress.NONE;
            default ->
                throw new IllegalStateException(
                        "paperpod.worker.account-sandbox.network is '" + network + "': it is 'full' or 'none'");
        };
    }

    /** This worker's own topic: the commands and exec jobs of the account sandboxes it hosts. */
    @Bean
    NewTopic sandboxTopic(String workerId, @Value("${paperpod.kafka.replication-factor:1}") short replicas) {
        return TopicsConfig.topic(Topics.sandbox(workerId), 1, replicas);
    }

    @Bean
    SandboxTopic sandboxTopicListener(
            String workerId,
            ConcurrentKafkaListenerContainerFactory<String, byte[]> containers,
            AccountSandboxes accountSandboxes,
            JobListener jobs,
            KafkaTemplate<String, byte[]> kafka,
            WorkerProperties properties,
            Clock clock) {
        WorkerProperties.AccountSandbox settings = properties.accountSandbox();
        SandboxCommands commands = new SandboxCommands(accountSandboxes, properties.sandbox(), clock);
        return new SandboxTopic(
                workerId,
                containers,
                commands,
                jobs,
                kafka,
                settings.execThreads(),
                settings.commandThreads(),
                properties.shutdownTimeout(),
                clock);
    }

    /** The api's way to the ports inside this worker's account sandboxes (preview URLs), and to browser sessions. */
    @Bean
    TunnelServer tunnelServer(
            AccountSandboxes accountSandboxes, WorkerProperties properties, ObjectProvider<TunnelRoute> routes) {
        WorkerProperties.AccountSandbox settings = properties.accountSandbox();
        return new TunnelServer(
                accountSandboxes,
                settings.tunnelHost(),
                settings.tunnelPort(),
                settings.tunnelAdvertisedHost(),
                routes.orderedStream().toList());
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

    /** The exec kind: code in the warm sandbox pools, or in an account's own sandbox. */
    @Bean
    ExecJobRunner execJobRunner(
            SandboxPools pools, AccountSandboxes accountSandboxes, WorkerProperties properties, Clock clock) {
        return new ExecJobRunner(
                pools,
                accountSandboxes,
                new ExecRunner(clock, properties.sandbox().outputLimit().toBytes()),
                properties);
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
            TunnelServer tunnel,
            WorkerProperties properties,
            Clock clock) {
        return new WorkerHeartbeats(kafka, runners, workerId, tunnel::tunnel, properties, clock);
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
