-- Job kinds (issue 17): every kind's results say which kind they are, as specs do; workers report their capacity per
-- kind, and the dispatcher hands each kind's waiting jobs on within its own capacity.

-- Results written before kinds had a type: every one of them is an exec result.
update jobs set result = jsonb_build_object('type', kind) || result
where result is not null and not result ? 'type';

-- What each worker has for each kind it runs, from its latest heartbeat (replaced whole with every heartbeat).
create table worker_capacity (
    worker_id  text not null,
    kind       text not null,
    ready      integer not null check (ready >= 0),
    busy       integer not null check (busy >= 0),
    max        integer not null check (max >= 0),
    primary key (worker_id, kind)
);
insert into worker_capacity (worker_id, kind, ready, busy, max)
select worker_id, 'exec', ready_sandboxes, busy_sandboxes, max_sandboxes from workers;
alter table workers drop column ready_sandboxes, drop column busy_sandboxes, drop column max_sandboxes;

-- The dispatcher takes an account's next waiting jobs of one kind from this index, in order (it finds the accounts
-- with waiting jobs by skipping through it, whatever their kinds); the in-flight count groups by kind and partition.
drop index jobs_waiting_account;
create index jobs_waiting_account on jobs (account_id, kind, priority, created_at)
    where status = 'QUEUED' and dispatched_at is null;
drop index jobs_in_flight;
create index jobs_in_flight on jobs (kind, dispatch_partition)
    where status = 'RUNNING' or (status = 'QUEUED' and dispatched_at is not null);
