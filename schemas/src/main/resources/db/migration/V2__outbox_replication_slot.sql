-- The outbox relay's replication slot, created with the schema: from the first accepted job on, the WAL is
-- kept for the relay even if it has never run yet, so no job committed before its first start is lost.
select pg_create_logical_replication_slot('paperpod_outbox', 'pgoutput')
where not exists (select 1 from pg_replication_slots where slot_name = 'paperpod_outbox');
