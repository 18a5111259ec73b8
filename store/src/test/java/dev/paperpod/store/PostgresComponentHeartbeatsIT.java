package dev.paperpod.store;

/** {@link ComponentHeartbeatsContract} on PostgreSQL. */
class PostgresComponentHeartbeatsIT extends ComponentHeartbeatsContract {

    @Override
    protected Stores stores() {
        return PostgresStores.STORES;
    }
}
