-- PaperPod's tables. api writes jobs and the outbox; the scheduler's projector applies job events; both run
-- these migrations (Flyway serialises them with a lock).

create table accounts (
    id          uuid primary key,
    name        text not null,
    created_at  timestamptz not null default now()
);

-- Bearer tokens, stored as SHA-256 hex digests: a leaked table does not leak tokens.
create table api_tokens (
    id          uuid primary key,
    account_id  uuid not null references accounts (id),
    token_hash  text not null unique,
    name        text not null,
    created_at  timestamptz not null default now(),
    revoked_at  timestamptz
);

create table jobs (
    id           uuid primary key,
    account_id   uuid not null references accounts (id),
    kind         text not null,
    source       text not null check (source in ('sync', 'async')),
    status       text not null check (status in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELED')),
    spec         jsonb,          -- null only for a sync job whose job.queued event never arrived
    result       jsonb,
    error        jsonb,
    timing       jsonb,
    attempts     integer not null default 0,
    version      integer not null default 0,
    created_at   timestamptz not null,
    started_at   timestamptz,
    finished_at  timestamptz,
    updated_at   timestamptz not null default now()
);

create index jobs_account_created on jobs (account_id, created_at desc);
create index jobs_unfinished on jobs (status) where status in ('QUEUED', 'RUNNING');

create table job_attempts (
    job_id       uuid not null references jobs (id),
    attempt      integer not null,
    worker_id    text not null,
    sandbox_id   text,
    started_at   timestamptz not null,
    finished_at  timestamptz,
    verdict      text,
    error        jsonb,
    primary key (job_id, attempt)
);

-- The transactional outbox, in the shape Debezium's outbox event router expects. Rows are deleted in the
-- transaction that inserts them: logical decoding still sees the insert, and the table never grows.
create table outbox (
    id             uuid primary key,
    aggregatetype  text not null,   -- routes the record: paperpod.jobs.<aggregatetype>
    aggregateid    text not null,   -- the record key: the job id
    type           text not null,
    payload        jsonb not null,
    created_at     timestamptz not null default now()
);

-- Only inserts are published: the deletes that keep the table empty never reach the relay.
create publication paperpod_outbox for table outbox with (publish = 'insert');

-- Event ids a consumer has applied, recorded in the same transaction as the effect: replays change nothing.
create table processed_events (
    event_id      uuid primary key,
    processed_at  timestamptz not null default now()
);

-- Liveness of the moving parts, for GET /health.
create table workers (
    worker_id        text primary key,
    started_at       timestamptz not null,
    last_seen        timestamptz not null,
    ready_sandboxes  integer not null,
    busy_sandboxes   integer not null,
    max_sandboxes    integer not null
);

create table component_heartbeats (
    component    text primary key,
    instance_id  text not null,
    state        text not null,
    detail       text not null,
    last_seen    timestamptz not null
);
