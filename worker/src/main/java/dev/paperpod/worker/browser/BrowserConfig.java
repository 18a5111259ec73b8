package dev.paperpod.worker.browser;

import com.github.dockerjava.api.DockerClient;
import dev.paperpod.worker.WorkerProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
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

    @Bean(initMethod = "start", destroyMethod = "close")
    BrowserPool browserPool(DockerClient docker, WorkerProperties properties, String workerId, MeterRegistry metrics) {
        BrowserContainers containers = new BrowserContainers(docker, properties.browser(), workerId);
        containers.checkImage();
        return new BrowserPool(containers, properties.browser(), metrics);
    }

    @Bean
    BrowserJobRunner browserJobRunner(BrowserPool pool, WorkerProperties properties, Clock clock) {
        WorkerProperties.Browser settings = properties.browser();
        return new BrowserJobRunner(
                pool, clock, settings.claimTimeout(), settings.maxResult().toBytes(), pool.egress());
    }
}
