package dev.paperpod.store;

/** {@link BatchStoreContract} on PostgreSQL. */
class PostgresBatchStoreIT extends BatchStoreContract {

    @Override
    protected Stores stores() {
        return PostgresStores.STORES;
    }
}
