-- Webhooks (Standard Webhooks): account endpoints with event filters, one delivery per event and endpoint (its id
-- is the webhook-id header, the same on every attempt), and a log of every attempt.
create table webhook_endpoints (
    id                     uuid primary key,
    account_id             uuid not null references accounts (id),
    url                    text not null,
    events                 text[] not null default '{}',   -- empty: every event
    secret                 text not null,                  -- whsec_<base64>
    previous_secret        text,                           -- still signed with, during a rotation
    previous_secret_until  timestamptz,
    disabled_at            timestamptz,
    disabled_reason        text,
    created_at             timestamptz not null
);

create index webhook_endpoints_account on webhook_endpoints (account_id) where disabled_at is null;

create table webhook_deliveries (
    id               text primary key,                  -- msg_<32 hex>
    endpoint_id      uuid not null references webhook_endpoints (id),
    event_type       text not null,
    event_key        text not null,                     -- what happened, once: a replayed event delivers nothing new
    payload          jsonb not null,
    status           text not null check (status in ('PENDING', 'SUCCEEDED', 'FAILED')),
    attempts         integer not null default 0,
    next_attempt_at  timestamptz,
    created_at       timestamptz not null default now(),
    finished_at      timestamptz,
    unique (endpoint_id, event_key)
);

create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'PENDING';
create index webhook_deliveries_endpoint on webhook_deliveries (endpoint_id, created_at desc);

create table webhook_attempts (
    delivery_id  text not null references webhook_deliveries (id),
    attempt      integer not null,
    at           timestamptz not null,
    status_code  integer,            -- null when no answer came (refused, timed out)
    error        text,
    duration_ms  bigint not null,
    primary key (delivery_id, attempt)
);
