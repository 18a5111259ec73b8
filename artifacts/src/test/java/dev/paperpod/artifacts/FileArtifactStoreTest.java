package dev.paperpod.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paperpod.schemas.job.ArtifactRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileArtifactStoreTest {

    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
    private static final UUID ACCOUNT = UUID.randomUUID();

    @TempDir
    Path root;

    @Test
    void keepsBytesWithTheirDigestAndServesThemFromAnOffset() throws IOException {
        FileArtifactStore store = new FileArtifactStore(root);
        UUID job = UUID.randomUUID();

        ArtifactRef ref =
                store.put(job, ACCOUNT, "page.txt", "text/plain", "hello".getBytes(StandardCharsets.UTF_8), NOW);

        assertThat(ref.size()).isEqualTo(5);
        // sha256("hello")
        assertThat(ref.sha256()).isEqualTo("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        assertThat(ref.url()).isEqualTo("/v1/jobs/" + job + "/artifacts/page.txt");
        ArtifactStore.Stored stored = store.find(job, "page.txt").orElseThrow();
        assertThat(stored.ref()).isEqualTo(ref);
        assertThat(stored.accountId()).isEqualTo(ACCOUNT);
        store.put(job, ACCOUNT, "another.txt", "text/plain", new byte[] {1}, NOW);
        assertThat(store.list(job)).extracting(s -> s.ref().name()).containsExactly("another.txt", "page.txt");
        assertThat(store.list(UUID.randomUUID())).isEmpty();
        try (InputStream in = stored.open(2)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("llo");
        }
    }

    @Test
    void movesAFileInAndALaterAttemptReplacesIt() throws IOException {
        FileArtifactStore store = new FileArtifactStore(root.resolve("store"));
        UUID job = UUID.randomUUID();
        Path made = Files.writeString(root.resolve("made.zip"), "first attempt");
        store.put(job, ACCOUNT, "trace.zip", "application/zip", made, NOW);
        assertThat(made).doesNotExist();

        Path again = Files.writeString(root.resolve("again.zip"), "second");
        ArtifactRef ref = store.put(job, ACCOUNT, "trace.zip", "application/zip", again, NOW);

        assertThat(ref.size()).isEqualTo(6);
        try (InputStream in = store.find(job, "trace.zip").orElseThrow().open(0)) {
            assertThat(in.readAllBytes()).isEqualTo("second".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void namesArePlainFileNames() throws IOException {
        FileArtifactStore store = new FileArtifactStore(root);
        UUID job = UUID.randomUUID();
        for (String bad : new String[] {"../x", ".hidden", "a/b", "", "x".repeat(129)}) {
            assertThatThrownBy(() -> store.put(job, ACCOUNT, bad, "text/plain", new byte[1], NOW))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(store.find(job, bad)).isEmpty();
        }
        assertThat(store.find(job, "never-put.png")).isEmpty();
        assertThat(store.find(UUID.randomUUID(), "x")).isEmpty();
    }

    @Test
    void deletesWhatHasExpiredAndKeepsTheRest() throws IOException {
        FileArtifactStore store = new FileArtifactStore(root);
        UUID old = UUID.randomUUID();
        UUID mixed = UUID.randomUUID();
        store.put(old, ACCOUNT, "a.png", "image/png", new byte[] {1}, NOW.minusSeconds(1));
        store.put(mixed, ACCOUNT, "gone.pdf", "application/pdf", new byte[] {2}, NOW);
        store.put(mixed, ACCOUNT, "kept.pdf", "application/pdf", new byte[] {3}, NOW.plusSeconds(60));

        assertThat(store.deleteExpired(NOW)).isEqualTo(2);

        assertThat(store.find(old, "a.png")).isEmpty();
        assertThat(root.resolve(old.toString())).doesNotExist();
        assertThat(store.find(mixed, "gone.pdf")).isEmpty();
        assertThat(root.resolve(mixed.toString()).resolve("gone.pdf")).doesNotExist();
        assertThat(store.find(mixed, "kept.pdf")).isPresent();
        assertThat(store.deleteExpired(NOW)).isZero();
    }

    @Test
    void aStoreWithNothingYetHasNothingToDelete() throws IOException {
        assertThat(new FileArtifactStore(root.resolve("absent")).deleteExpired(NOW))
                .isZero();
    }
}
