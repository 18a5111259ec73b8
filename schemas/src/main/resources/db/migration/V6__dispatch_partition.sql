-- The partition of paperpod.jobs.<kind> the dispatcher put the current attempt on: one whose previous job ended,
-- so no job waits behind another on its partition.
alter table jobs add column dispatch_partition smallint;
create index jobs_in_flight on jobs (dispatch_partition)
    where status = 'RUNNING' or (status = 'QUEUED' and dispatched_at is not null);
