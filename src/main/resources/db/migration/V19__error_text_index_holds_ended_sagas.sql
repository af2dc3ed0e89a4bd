-- The error-text index (V9) held every saga with an error. A saga that compensates or retries carries its error through
-- several commits, and each of them moves its row (the lease's wake_at or the status changes, both indexed), so every
-- commit put all the trigrams of the same error into the index again: three times for a user-sync saga undone after
-- its local save failed, about 6.5 kB of WAL, more than the rest of that saga. Now only ended sagas are in it, each
-- once, by the commit that ends it; the list's error search reads the live sagas' errors through their own small
-- index (saga_live_created_idx) instead. The status list is SagaStatus's ended ones, as StatusSql.ENDED writes them.
drop index saga_last_error_trgm_idx;
do $$
declare
    trgm_schema text;
begin
    select n.nspname into strict trgm_schema
    from pg_extension e join pg_namespace n on n.oid = e.extnamespace
    where e.extname = 'pg_trgm';
    execute format('create index saga_last_error_trgm_idx on saga using gin (last_error %I.gin_trgm_ops)'
                   ' where last_error is not null and status in (''COMPLETED'', ''COMPENSATED'', ''ESCALATED'', ''RESOLVED'')',
                   trgm_schema);
end
$$;
