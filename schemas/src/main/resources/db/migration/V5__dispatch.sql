-- Async jobs wait in PostgreSQL until the scheduler's dispatcher hands them to Kafka (through the outbox), so that
-- delayed jobs, priorities, per-account concurrency and fair sharing decide the order, not Kafka's FIFO.

alter table jobs
    add column priority      smallint not null default 1 check (priority between 0 and 2),  -- 0 high, 1 normal, 2 low
    add column run_at        timestamptz,   -- not before then
    add column dispatched_at timestamptz;   -- handed to Kafka (this attempt); null while it waits

-- Jobs accepted before this migration were already handed to Kafka with their outbox record.
update jobs set dispatched_at = coalesce(started_at, created_at) where status in ('QUEUED', 'RUNNING');

create index jobs_waiting on jobs (priority, created_at) where status = 'QUEUED' and dispatched_at is null;
create index jobs_waiting_account on jobs (account_id) where status = 'QUEUED' and dispatched_at is null;
create index jobs_finished_at on jobs (finished_at) where finished_at is not null;

-- Per-account overrides of the scheduler's defaults; null: the default.
alter table accounts
    add column max_concurrency integer check (max_concurrency > 0),  -- jobs dispatched or running at once
    add column max_queued      integer check (max_queued > 0);       -- jobs waiting before submissions get 429
