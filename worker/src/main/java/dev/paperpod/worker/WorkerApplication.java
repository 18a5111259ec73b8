package dev.paperpod.worker;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * A PaperPod worker: no web server, a Kafka consumer per job kind and a pool of warm sandboxes. Runs on its own
 * against an external Kafka ({@code spring.kafka.*}) and Podman, or inside the embedded launcher.
 */
@SpringBootApplication
@EnableConfigurationProperties(WorkerProperties.class)
public class WorkerApplication {

    /** The worker reads {@code paperpod-worker.properties}, so it can share a JVM with the api and scheduler. */
    public static final String CONFIG_NAME = "paperpod-worker";

    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(WorkerApplication.class).properties("spring.config.name=" + CONFIG_NAME);
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
