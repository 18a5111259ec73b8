package dev.paperpod.api.auth;

import dev.paperpod.api.ApiProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/** Registers {@code paperpod.api.dev-token} for the {@code dev} account at start-up, when one is configured. */
@Component
class DevTokenRegistrar implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(DevTokenRegistrar.class);

    private final ApiProperties properties;
    private final AccountTokens tokens;

    DevTokenRegistrar(ApiProperties properties, AccountTokens tokens) {
        this.properties = properties;
        this.tokens = tokens;
    }

    @Override
    public void run(ApplicationArguments args) {
        String token = properties.devToken();
        if (token == null || token.isBlank()) {
            return;
        }
        Caller caller = tokens.register("dev", "development token", token);
        log.info("Development token registered for account dev ({})", caller.accountId());
    }
}
