package dev.paperpod.worker.browser;

import com.github.dockerjava.api.DockerClient;
import dev.paperpod.worker.WorkerProperties;
import dev.paperpod.worker.jobs.JobArtifacts;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The browser kind on this worker, unless {@code paperpod.worker.browser.enabled} is false. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(
        prefix = "paperpod.worker.browser",
        name = "enabled",
        havingValue = "true",
        matchIfMissing = true)
public class BrowserConfig {

    @Bean
    BrowserContainers browserContainers(
            DockerClient docker, WorkerProperties properties, String workerId, ObjectProvider<PreviewRelay> previews) {
        BrowserContainers containers =
                new BrowserContainers(docker, properties.browser(), workerId, previews.getIfAvailable());
        containers.checkImage();
        return containers;
    }

    /** Pages' way to preview URLs, when the api's preview proxy is named ({@code browser.preview-upstream}). */
    @Bean(initMethod = "start", destroyMethod = "close")
    @ConditionalOnProperty(prefix = "paperpod.worker.browser", name = "preview-upstream")
    PreviewRelay previewRelay(WorkerProperties properties, String workerId) {
        WorkerProperties.Browser settings = properties.browser();
        Path dir = properties.sandbox().socketRoot().resolve("brw-" + Integer.toHexString(workerId.hashCode()));
        return new PreviewRelay(dir, Objects.requireNonNull(settings.previewUpstream()), settings.previewDomain());
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    BrowserPool browserPool(BrowserContainers containers, WorkerProperties properties, MeterRegistry metrics) {
        return new BrowserPool(containers, properties.browser(), metrics);
    }

    @Bean(destroyMethod = "close")
    BrowserSessions browserSessions(BrowserContainers containers, WorkerProperties properties, Clock clock) {
        WorkerProperties.Browser settings = properties.browser();
        return new BrowserSessions(
                containers,
                settings.maxSessions(),
                settings.sessionSpares(),
                settings.readyTimeout(),
                settings.claimTimeout(),
                clock);
    }

    /** Clients of the accounts' own on their sessions' browsers, through the tunnel listener. */
    @Bean
    BrowserConnect browserConnect(BrowserSessions sessions) {
        return new BrowserConnect(sessions);
    }

    @Bean
    BrowserJobRunner browserJobRunner(
            BrowserPool pool,
            BrowserSessions sessions,
            BrowserContainers containers,
            WorkerProperties properties,
            JobArtifacts artifacts,
            Clock clock) {
        WorkerProperties.Browser settings = properties.browser();
        return new BrowserJobRunner(
                pool,
                sessions,
                clock,
                settings.claimTimeout(),
                settings.maxResult().toBytes(),
                settings.maxHar().toBytes(),
                containers.egress(),
                artifacts);
    }
}
