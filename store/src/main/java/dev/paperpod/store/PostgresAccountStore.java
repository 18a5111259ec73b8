package dev.paperpod.store;

import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/** {@link AccountStore} on the {@code accounts} and {@code api_tokens} tables. */
public final class PostgresAccountStore implements AccountStore {

    private final JdbcClient jdbc;

    public PostgresAccountStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<Token> token(String tokenHash) {
        return jdbc.sql("select id, account_id from api_tokens where token_hash = ? and revoked_at is null")
                .param(tokenHash)
                .query((rs, n) -> new Token(rs.getObject("id", UUID.class), rs.getObject("account_id", UUID.class)))
                .optional();
    }

    @Override
    public UUID accountNamed(String name) {
        // two callers may race to create it: the second finds the first's
        jdbc.sql("""
                        insert into accounts (id, name) select ?, ?
                        where not exists (select 1 from accounts where name = ?)
                        """).params(UUID.randomUUID(), name, name).update();
        return jdbc.sql("select id from accounts where name = ? order by created_at limit 1")
                .param(name)
                .query(UUID.class)
                .single();
    }

    @Override
    public Token saveToken(UUID accountId, String tokenHash, String name) {
        return jdbc.sql("""
                        insert into api_tokens (id, account_id, token_hash, name) values (?, ?, ?, ?)
                        on conflict (token_hash) do update set revoked_at = null
                        returning id, account_id
                        """)
                .params(UUID.randomUUID(), accountId, tokenHash, name)
                .query((rs, n) -> new Token(rs.getObject("id", UUID.class), rs.getObject("account_id", UUID.class)))
                .single();
    }
}
