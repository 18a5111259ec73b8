-- Two indexes on jobs that others cover, maintained by every job's insert and by each of its updates that changes an
-- indexed column (dispatch, start, end): jobs_account_created (account_id, created_at desc) is a prefix of
-- jobs_account_listing (V7), and jobs_waiting holds the same rows as jobs_waiting_account (V11), through which every
-- query of waiting jobs now goes.
drop index if exists jobs_account_created;
drop index if exists jobs_waiting;
