-- The job lifecycle of issue 4: a retry state for infrastructure faults, attempts counted against a maximum, the
-- worker of the running attempt (for the sweeper), and cancel requests for running jobs.

alter table jobs drop constraint jobs_status_check;
alter table jobs add constraint jobs_status_check
    check (status in ('QUEUED', 'RUNNING', 'RETRYING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELED'));

alter table jobs
    add column max_attempts        integer not null default 3 check (max_attempts between 1 and 10),
    add column worker_id           text,
    add column next_attempt_at     timestamptz,
    add column cancel_requested_at timestamptz;

drop index jobs_unfinished;
create index jobs_unfinished on jobs (status, updated_at) where status in ('QUEUED', 'RUNNING', 'RETRYING');
create index jobs_retry_due on jobs (next_attempt_at) where status = 'RETRYING';

-- A record redelivered to another worker (its first worker died) starts the same attempt again.
alter table job_attempts add column redeliveries integer not null default 0;
