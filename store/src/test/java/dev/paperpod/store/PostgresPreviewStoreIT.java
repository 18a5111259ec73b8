package dev.paperpod.store;

/** {@link PreviewStoreContract} on PostgreSQL. */
class PostgresPreviewStoreIT extends PreviewStoreContract {

    @Override
    protected Stores stores() {
        return PostgresStores.STORES;
    }
}
