package dev.paperpod.api.auth;

import dev.paperpod.store.AccountStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Bearer tokens and the accounts they belong to. Tokens are stored as SHA-256 digests. A found token is cached
 * for {@link #CACHE_TTL}, so the hot path does not ask the database on every request; a revocation takes
 * effect within that time, and so does a change of the account's settings.
 */
@Component
public class AccountTokens {

    static final Duration CACHE_TTL = Duration.ofSeconds(30);
    private static final int CACHE_LIMIT = 10_000;

    private final AccountStore accounts;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public AccountTokens(AccountStore accounts, Clock clock) {
        this.accounts = accounts;
        this.clock = clock;
    }

    public Optional<Caller> authenticate(String token) {
        String hash = sha256(token);
        Instant now = clock.instant();
        Cached cached = cache.get(hash);
        if (cached != null && cached.until().isAfter(now)) {
            return Optional.of(cached.caller());
        }
        Optional<Caller> caller = accounts.token(hash).map(Caller::of);
        caller.ifPresent(c -> {
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear(); // bounded: a flood of distinct valid tokens costs lookups, never memory
            }
            cache.put(hash, new Cached(c, now.plus(CACHE_TTL)));
        });
        return caller;
    }

    /** Makes sure {@code token} authenticates as the account named {@code accountName}, creating both as needed. */
    @Transactional
    public Caller register(String accountName, String tokenName, String token) {
        return Caller.of(accounts.saveToken(accounts.accountNamed(accountName), sha256(token), tokenName));
    }

    static String sha256(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private record Cached(Caller caller, Instant until) {}
}
