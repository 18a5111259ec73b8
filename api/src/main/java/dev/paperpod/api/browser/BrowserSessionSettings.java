package dev.paperpod.api.browser;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Browser sessions as the api grants them ({@code paperpod.api.browser-sessions.*}).
 *
 * @param maxPerAccount sessions an account may hold open at once
 * @param defaultIdleTimeout how long a session lives without a call, unless {@code idleTimeoutMs} says otherwise
 * @param maxIdleTimeout the longest {@code idleTimeoutMs} granted
 */
@ConfigurationProperties("paperpod.api.browser-sessions")
public record BrowserSessionSettings(
        @DefaultValue("3") int maxPerAccount,
        @DefaultValue("5m") Duration defaultIdleTimeout,
        @DefaultValue("30m") Duration maxIdleTimeout) {}
