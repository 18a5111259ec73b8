package dev.paperpod.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link SandboxStore} does: one placement per account and name, and the first placement wins a race. */
abstract class SandboxStoreContract {

    protected abstract Stores stores();

    @Test
    void aSandboxIsPlacedOnceAndFoundWithTheIdItsWorkerAnswered() {
        SandboxStore sandboxes = stores().sandboxes();
        UUID account = stores().account();
        assertThat(sandboxes.find(account, "default")).isEmpty();

        SandboxStore.Placement placed = sandboxes.place(account, "default", "worker-a", null);
        assertThat(placed).isEqualTo(new SandboxStore.Placement(account, "default", "worker-a", null));
        sandboxes.recordSandbox(placed, "sbx-1");

        assertThat(sandboxes.find(account, "default"))
                .contains(new SandboxStore.Placement(account, "default", "worker-a", "sbx-1"));
        assertThat(sandboxes.find(account, "other")).as("another name").isEmpty();
        assertThat(sandboxes.find(stores().account(), "default"))
                .as("another account")
                .isEmpty();
    }

    @Test
    void aConcurrentPlacementGetsTheFirstOne() {
        SandboxStore sandboxes = stores().sandboxes();
        UUID account = stores().account();
        sandboxes.place(account, "dev", "worker-a", null);

        assertThat(sandboxes.place(account, "dev", "worker-b", null).workerId()).isEqualTo("worker-a");
    }

    @Test
    void aSandboxOfAGoneWorkerMovesOnceAndKeepsItsOldIdUntilTheNewWorkerAnswers() {
        SandboxStore sandboxes = stores().sandboxes();
        UUID account = stores().account();
        SandboxStore.Placement first = sandboxes.place(account, "default", "worker-a", null);
        sandboxes.recordSandbox(first, "sbx-old");
        SandboxStore.Placement gone = sandboxes.find(account, "default").orElseThrow();

        SandboxStore.Placement moved = sandboxes.place(account, "default", "worker-b", gone);
        SandboxStore.Placement late = sandboxes.place(account, "default", "worker-c", gone);

        assertThat(moved).isEqualTo(new SandboxStore.Placement(account, "default", "worker-b", "sbx-old"));
        assertThat(late).as("a second caller that saw the same gone worker").isEqualTo(moved);

        sandboxes.recordSandbox(first, "sbx-from-the-old-worker");
        assertThat(sandboxes.find(account, "default").orElseThrow().sandboxId())
                .as("an answer of the old worker, late")
                .isEqualTo("sbx-old");
        sandboxes.recordSandbox(moved, "sbx-new");
        assertThat(sandboxes.find(account, "default").orElseThrow().sandboxId()).isEqualTo("sbx-new");
    }
}
