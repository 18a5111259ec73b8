-- The dispatcher takes each account's next waiting jobs in order straight from this index (and finds the accounts
-- with waiting jobs by skipping through it), instead of ranking every waiting job on every round: a round costs
-- O(accounts × free slots), not O(waiting jobs), so a deep backlog no longer slows every dispatch.
drop index jobs_waiting_account;
create index jobs_waiting_account on jobs (account_id, priority, created_at)
    where status = 'QUEUED' and dispatched_at is null;
