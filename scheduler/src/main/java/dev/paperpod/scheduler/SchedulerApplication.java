package dev.paperpod.scheduler;

import java.time.Clock;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * PaperPod's scheduler: relays the outbox to Kafka, projects job events and worker heartbeats into PostgreSQL.
 * Runs on its own against an external Kafka and PostgreSQL, or inside the embedded launcher.
 */
@SpringBootApplication
@EnableConfigurationProperties(SchedulerProperties.class)
public class SchedulerApplication {

    /** The scheduler reads {@code paperpod-scheduler.properties}, so it can share a JVM with the api and worker. */
    public static final String CONFIG_NAME = "paperpod-scheduler";

    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(SchedulerApplication.class).properties("spring.config.name=" + CONFIG_NAME);
    }

    public static void main(String[] args) {
        builder().run(args);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
