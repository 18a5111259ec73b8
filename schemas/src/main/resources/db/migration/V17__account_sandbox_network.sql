-- What an account's own sandboxes reach (issue 18): 'full' (the internet, never PaperPod's services) or 'none'.
-- Null: the deployment's setting (paperpod.worker.account-sandbox.network). A sandbox keeps the network it was
-- made with; a change takes effect for the account's next new sandbox (after a reset, an idle expiry, a lost worker).
alter table accounts
    add column sandbox_network text check (sandbox_network in ('full', 'none'));
