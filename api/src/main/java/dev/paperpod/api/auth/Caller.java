package dev.paperpod.api.auth;

import dev.paperpod.schemas.job.Egress;
import dev.paperpod.store.AccountStore;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Who is calling: the account behind the request's bearer token, with the account's settings the api acts on.
 *
 * @param sandboxNetwork what the account's new sandboxes reach; null for the deployment's default
 */
public record Caller(UUID accountId, UUID tokenId, @Nullable Egress sandboxNetwork) {

    static final String ATTRIBUTE = Caller.class.getName();

    static Caller of(AccountStore.Token token) {
        return new Caller(token.accountId(), token.id(), token.sandboxNetwork());
    }
}
