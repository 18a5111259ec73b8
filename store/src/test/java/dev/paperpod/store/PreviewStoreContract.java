package dev.paperpod.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link PreviewStore} does: one preview per sandbox and port, a private one keeping its token. */
abstract class PreviewStoreContract {

    protected abstract Stores stores();

    @Test
    void aPortExposedAgainIsTheSamePreviewAndAPrivateOneKeepsItsToken() {
        PreviewStore previews = stores().previews();
        UUID account = stores().account();
        String sandbox = "sbx-" + UUID.randomUUID();

        PreviewStore.Preview open = previews.expose(account, "default", sandbox, 8080, false, "t-1");
        assertThat(open).isEqualTo(new PreviewStore.Preview(sandbox, 8080, account, "default", false, null));

        PreviewStore.Preview closed = previews.expose(account, "default", sandbox, 8080, true, "t-2");
        assertThat(closed.isPrivate()).isTrue();
        assertThat(closed.token()).isEqualTo("t-2");
        assertThat(previews.expose(account, "default", sandbox, 8080, true, "t-3")
                        .token())
                .as("exposed again, private still: the same token")
                .isEqualTo("t-2");
        previews.expose(account, "default", sandbox, 3_001, false, "t-4");

        assertThat(previews.find(sandbox, 8080)).contains(closed);
        assertThat(previews.find(sandbox, 9090)).isEmpty();
        assertThat(previews.of(sandbox)).extracting(PreviewStore.Preview::port).containsExactly(3_001, 8080);
        assertThat(previews.expose(account, "default", sandbox, 8080, false, "t-5")
                        .token())
                .as("public again: no token")
                .isNull();
    }
}
