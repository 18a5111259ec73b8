package dev.paperpod.store;

/** {@link WorkerStoreContract} on PostgreSQL. */
class PostgresWorkerStoreIT extends WorkerStoreContract {

    @Override
    protected Stores stores() {
        return PostgresStores.STORES;
    }
}
