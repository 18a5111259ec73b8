package dev.paperpod.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.schemas.job.Egress;
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
        assertThat(token.sandboxNetwork()).as("the deployment's default").isNull();
    }

    @Test
    void aTokenCarriesTheNetworkItsAccountsSandboxesGet() {
        AccountStore accounts = stores().accounts();
        UUID account = accounts.accountNamed("acct-" + UUID.randomUUID());
        String digest = "digest-" + UUID.randomUUID();
        accounts.saveToken(account, digest, "ci");

        accounts.setSandboxNetwork(account, Egress.NONE);
        assertThat(accounts.token(digest).orElseThrow().sandboxNetwork()).isEqualTo(Egress.NONE);
        assertThat(accounts.saveToken(account, digest, "again").sandboxNetwork())
                .isEqualTo(Egress.NONE);

        accounts.setSandboxNetwork(account, null);
        assertThat(accounts.token(digest).orElseThrow().sandboxNetwork()).isNull();
    }
}
