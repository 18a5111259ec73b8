package dev.paperpod.store;

/** {@link WebhookStoreContract} on PostgreSQL. */
class PostgresWebhookStoreIT extends WebhookStoreContract {

    @Override
    protected Stores stores() {
        return PostgresStores.STORES;
    }
}
