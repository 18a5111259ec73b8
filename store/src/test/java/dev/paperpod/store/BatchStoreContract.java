package dev.paperpod.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.schemas.job.JobStatus;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link BatchStore} does: a batch visible to its account only, its progress, a cancel marked once. */
abstract class BatchStoreContract {

    protected abstract Stores stores();

    @Test
    void aBatchIsItsAccountsAndCountsItsJobsByStatus() {
        Stores stores = stores();
        UUID account = stores.account();
        UUID id = UUID.randomUUID();
        Instant at = Stores.now();
        BatchStore.Batch batch = new BatchStore.Batch(id, account, 3, null, at, null, null);
        List<JobRecord> jobs = List.of(Stores.queuedJob(account), Stores.queuedJob(account), Stores.queuedJob(account));
        stores.tx().executeWithoutResult(s -> {
            stores.batches().insert(batch);
            stores.jobs().insertBatch(jobs, id);
        });
        JobRecord first = stores.jobs().find(jobs.get(0).id()).orElseThrow();
        stores.jobs()
                .save(first.started(1, "w", at).ended(JobStatus.SUCCEEDED, null, null, null, at, at.plusMillis(5)));

        assertThat(stores.batches().find(id, account)).contains(batch);
        assertThat(stores.batches().find(id, stores.account()))
                .as("another account's")
                .isEmpty();
        BatchStore.Progress progress = stores.batches().progress(id);
        assertThat(progress.counts()).containsEntry(JobStatus.SUCCEEDED, 1L).containsEntry(JobStatus.QUEUED, 2L);
        assertThat(progress.firstStartedAt()).isEqualTo(at);
        assertThat(progress.lastFinishedAt()).isEqualTo(at.plusMillis(5));
        assertThat(stores.batches().unfinishedJobs(id))
                .extracting(JobRecord::id)
                .containsExactlyInAnyOrder(jobs.get(1).id(), jobs.get(2).id());
    }

    @Test
    void aCancelIsMarkedOnceAndOnlyOnTheAccountsBatch() {
        Stores stores = stores();
        UUID account = stores.account();
        UUID id = UUID.randomUUID();
        Instant at = Stores.now();
        stores.batches().insert(new BatchStore.Batch(id, account, 1, null, at, null, null));

        assertThat(stores.batches().markCanceled(id, stores.account(), at)).isFalse();
        assertThat(stores.batches().markCanceled(id, account, at)).isTrue();
        assertThat(stores.batches().markCanceled(id, account, at.plusSeconds(9)))
                .isTrue();
        assertThat(stores.batches().find(id, account).orElseThrow().canceledAt())
                .as("the first cancel's time")
                .isEqualTo(at);
    }
}
