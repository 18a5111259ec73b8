package dev.paperpod.store;

/** {@link IdempotencyStoreContract} on PostgreSQL. */
class PostgresIdempotencyStoreIT extends IdempotencyStoreContract {

    @Override
    protected Stores stores() {
        return PostgresStores.STORES;
    }
}
