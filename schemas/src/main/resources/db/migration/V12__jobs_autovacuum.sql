-- Every job row is updated two or three times within seconds of its insert (dispatched, started and ended, often
-- in one save), so the jobs table and its partial indexes fill with dead entries, and a queue that grows from
-- nothing to thousands in seconds is planned with the statistics of an empty table (the waiting-jobs count then
-- walks the wrong index: 6 ms instead of a fraction). Vacuum and analyze after 2 % of the rows changed rather than
-- 20 % and 10 %; the autovacuum launcher still wakes only every autovacuum_naptime (5 s on the embedded server).
alter table jobs set (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02,
                      autovacuum_vacuum_insert_scale_factor = 0.02);
alter table job_attempts set (autovacuum_analyze_scale_factor = 0.02);
