package dev.paperpod.api.auth;

import java.util.UUID;

/** Who is calling: the account behind the request's bearer token. */
public record Caller(UUID accountId, UUID tokenId) {

    static final String ATTRIBUTE = Caller.class.getName();
}
