-- Idempotency-Key with Stripe's semantics: the first request with a key stores its answer in the transaction that
-- does its work; a retry with the same key and body gets that answer again, one with another body a 422. A
-- concurrent retry waits on the first one's row lock and then reads its answer. Kept at least 24 h.
create table idempotency_keys (
    account_id    uuid not null references accounts (id),
    key           text not null,
    request_hash  text not null,   -- SHA-256 of the request as parsed, so whitespace and field order do not count
    status_code   integer not null,
    response      jsonb not null,
    created_at    timestamptz not null default now(),
    primary key (account_id, key)
);

create index idempotency_keys_created on idempotency_keys (created_at);
