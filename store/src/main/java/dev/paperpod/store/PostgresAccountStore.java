package dev.paperpod.store;

import dev.paperpod.schemas.job.Egress;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

/** {@link AccountStore} on the {@code accounts} and {@code api_tokens} tables. */
public final class PostgresAccountStore implements AccountStore {

    private final JdbcClient jdbc;

    public PostgresAccountStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<Token> token(String tokenHash) {
        return jdbc.sql("""
                        select t.id, t.account_id, a.sandbox_network
                        from api_tokens t join accounts a on a.id = t.account_id
                        where t.token_hash = ? and t.revoked_at is null
                        """).param(tokenHash).query((rs, n) -> token(rs)).optional();
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
                        returning id, account_id,
                            (select sandbox_network from accounts where id = api_tokens.account_id) as sandbox_network
                        """)
                .params(UUID.randomUUID(), accountId, tokenHash, name)
                .query((rs, n) -> token(rs))
                .single();
    }

    @Override
    public void setSandboxNetwork(UUID accountId, @Nullable Egress network) {
        int updated = jdbc.sql("update accounts set sandbox_network = ? where id = ?")
                .params(network == null ? null : network.wireName(), accountId)
                .update();
        if (updated == 0) {
            throw new IllegalArgumentException("no account " + accountId);
        }
    }

    private static Token token(ResultSet rs) throws SQLException {
        String network = rs.getString("sandbox_network");
        return new Token(
                rs.getObject("id", UUID.class),
                rs.getObject("account_id", UUID.class),
                network == null ? null : Egress.fromWireName(network).orElseThrow());
    }
}
