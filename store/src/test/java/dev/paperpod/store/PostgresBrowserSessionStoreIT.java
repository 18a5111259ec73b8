package dev.paperpod.store;

/** {@link BrowserSessionStoreContract} on PostgreSQL. */
class PostgresBrowserSessionStoreIT extends BrowserSessionStoreContract {

    @Override
    protected Stores stores() {
        return PostgresStores.STORES;
    }
}
