-- Preview URLs (issue 18): a port of an account's sandbox, exposed. The row names the sandbox by its id, so a URL
-- outlives neither a reset nor the loss of its worker: the sandbox that now holds the account's name has another id.
create table previews (
    sandbox_id text not null,
    port       integer not null check (port between 1 and 65535),
    account_id uuid not null references accounts (id),
    name       text not null,
    private    boolean not null,
    -- For a private preview: the token that opens it besides the account's own (a capability, like the URL of a
    -- public one, so it is kept to be answered again on the next /expose of the same port).
    token      text,
    created_at timestamptz not null default now(),
    primary key (sandbox_id, port),
    check (private = (token is not null))
);
create index previews_account on previews (account_id, name);

-- Where the api reaches a worker's tunnel listener, from its latest heartbeat.
alter table workers add column tunnel_address text, add column tunnel_key text;
