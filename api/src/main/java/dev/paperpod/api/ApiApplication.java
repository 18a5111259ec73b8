package dev.paperpod.api;

import dev.paperpod.api.browser.BrowserSessionSettings;
import dev.paperpod.store.StoreConfig;
import java.time.Clock;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * PaperPod's HTTP API. Runs on its own against an external Kafka and PostgreSQL (standard {@code spring.kafka.*}
 * and {@code spring.datasource.*} properties), or inside the embedded launcher.
 */
@SpringBootApplication
@Import(StoreConfig.class)
@EnableConfigurationProperties({ApiProperties.class, BrowserSessionSettings.class})
public class ApiApplication {

    /** The api reads {@code paperpod-api.properties}, so it can share a JVM with the worker and scheduler. */
    public static final String CONFIG_NAME = "paperpod-api";

    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(ApiApplication.class).properties("spring.config.name=" + CONFIG_NAME);
    }

    public static void main(String[] args) {
        builder().run(args);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
