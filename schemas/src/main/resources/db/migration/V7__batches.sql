-- Batches: many jobs submitted at once, followed as one. Their jobs are ordinary jobs with a batch_id.
create table batches (
    id            uuid primary key,
    account_id    uuid not null references accounts (id),
    total         integer not null check (total > 0),
    webhook_url   text,
    created_at    timestamptz not null,
    canceled_at   timestamptz,
    completed_at  timestamptz      -- when its last job ended
);

create index batches_open on batches (created_at) where completed_at is null;

alter table jobs add column batch_id uuid references batches (id);
create index jobs_batch on jobs (batch_id, created_at desc, id desc) where batch_id is not null;
create index jobs_account_listing on jobs (account_id, created_at desc, id desc);
