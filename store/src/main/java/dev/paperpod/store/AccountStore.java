package dev.paperpod.store;

import dev.paperpod.schemas.job.Egress;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Accounts and the bearer tokens that act for them, stored as digests: a leaked table leaks no token. */
public interface AccountStore {

    /** The unrevoked token with this digest, and whose it is, with the account's settings the api acts on. */
    Optional<Token> token(String tokenHash);

    /** The account named {@code name}, created if there is none. */
    UUID accountNamed(String name);

    /** Makes the token with this digest act for the account (and not revoked), creating it as needed. */
    Token saveToken(UUID accountId, String tokenHash, String name);

    /**
     * What the account's own sandboxes reach from now on, when they are made ({@code accounts.sandbox_network});
     * null for the deployment's default.
     */
    void setSandboxNetwork(UUID accountId, @Nullable Egress network);

    /**
     * @param sandboxNetwork what the account's new sandboxes reach; null for the deployment's default
     */
    record Token(UUID id, UUID accountId, @Nullable Egress sandboxNetwork) {}
}
