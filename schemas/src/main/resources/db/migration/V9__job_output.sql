-- Output chunks of background jobs as they come (job.output events), for GET /v1/jobs/{id}/events. A job's
-- output is capped (1 MiB by default), so this stays bounded per job.
create table job_output (
    job_id   uuid not null references jobs (id),
    attempt  integer not null,
    seq      bigint not null,
    stream   text not null check (stream in ('stdout', 'stderr')),
    data     text not null,
    at       timestamptz not null,
    primary key (job_id, attempt, seq)
);
