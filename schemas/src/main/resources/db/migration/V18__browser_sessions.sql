-- Browser sessions (issue 19): a browser an account holds between calls, with its cookies, storage and open page,
-- on the worker that runs it. A session ends when released, when idle past its timeout (the worker ends it at the
-- same rule), or with its worker.
create table browser_sessions (
    session_id      text        primary key,
    account_id      uuid        not null references accounts (id),
    worker_id       text        not null,
    idle_timeout_ms bigint      not null check (idle_timeout_ms > 0),
    created_at      timestamptz not null,
    last_used_at    timestamptz not null,
    ended_at        timestamptz
);

create index browser_sessions_open on browser_sessions (account_id) where ended_at is null;
