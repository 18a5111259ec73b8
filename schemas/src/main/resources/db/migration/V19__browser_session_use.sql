-- A browser session's time of use (issue 19; metered per second by the accounts issue): it counts from the moment its
-- browser was ready for the account (opened_at; null while it starts) to its release, its worker's loss or the end
-- of its idle timeout, whichever came first.
alter table browser_sessions add column opened_at timestamptz;
