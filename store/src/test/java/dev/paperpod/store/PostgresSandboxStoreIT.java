package dev.paperpod.store;

/** {@link SandboxStoreContract} on PostgreSQL. */
class PostgresSandboxStoreIT extends SandboxStoreContract {

    @Override
    protected Stores stores() {
        return PostgresStores.STORES;
    }
}
