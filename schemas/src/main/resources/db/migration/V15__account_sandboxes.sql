-- Account sandboxes (issue 18, ADR 8): where each account's named sandbox lives. The api reads the row on every
-- sandbox call and sends the call to the worker it names; sandbox_id is the last sandbox that worker answered with,
-- so a different id in a reply means the sandbox was made anew (its worker died, it expired idle, or was reset).
create table sandboxes (
    account_id uuid not null references accounts (id),
    name       text not null check (name ~ '^[a-z0-9-]{1,32}$'),
    worker_id  text not null,
    sandbox_id text,
    placed_at  timestamptz not null default now(),
    primary key (account_id, name)
);
