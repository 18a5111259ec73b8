package dev.paperpod.store;

import java.util.Optional;
import java.util.UUID;

/** Accounts and the bearer tokens that act for them, stored as digests: a leaked table leaks no token. */
public interface AccountStore {

    /** The unrevoked token with this digest, and whose it is. */
    Optional<Token> token(String tokenHash);

    /** The account named {@code name}, created if there is none. */
    UUID accountNamed(String name);

    /** Makes the token with this digest act for the account (and not revoked), creating it as needed. */
    Token saveToken(UUID accountId, String tokenHash, String name);

    record Token(UUID id, UUID accountId) {}
}
