package dev.paperpod.store;

/** {@link AccountStoreContract} on PostgreSQL. */
class PostgresAccountStoreIT extends AccountStoreContract {

    @Override
    protected Stores stores() {
        return PostgresStores.STORES;
    }
}
