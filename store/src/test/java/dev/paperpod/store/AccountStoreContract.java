package dev.paperpod.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link AccountStore} does: an account per name, tokens found by digest. */
abstract class AccountStoreContract {

    protected abstract Stores stores();

    @Test
    void anAccountIsFoundByNameAndATokenByItsDigest() {
        AccountStore accounts = stores().accounts();
        String name = "acct-" + UUID.randomUUID();
        UUID account = accounts.accountNamed(name);
        assertThat(accounts.accountNamed(name)).isEqualTo(account);

        String digest = "digest-" + UUID.randomUUID();
        AccountStore.Token token = accounts.saveToken(account, digest, "ci");

        assertThat(token.accountId()).isEqualTo(account);
        assertThat(accounts.token(digest)).contains(token);
        assertThat(accounts.saveToken(account, digest, "again"))
                .as("the same token")
                .isEqualTo(token);
        assertThat(accounts.token("digest-of-nothing")).isEmpty();
    }
}
