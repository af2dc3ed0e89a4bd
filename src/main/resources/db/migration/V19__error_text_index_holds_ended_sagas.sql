-- The error-text index (V9) held every saga with an error. A saga that compensates or retries carries its error through
-- several commits, and each of them moves its row (the lease's wake_at or the status changes, both indexed), so every
-- commit put all the trigrams of the same error into the index again: three times for a user-sync saga undone after
-- its local save failed, about 6.5 kB of WAL, more than the rest of that saga. Now only ended sagas are in it, each
-- once, by the commit that ends it; the list's error search reads the live sagas' errors through their own small
-- index (saga_live_created_idx) instead. The status list is SagaStatus's ended ones, as StatusSql.ENDED writes them.
-- The index is made again from its own definition, narrowed, so that it keeps the operator class V9 found wherever
-- pg_trgm lives.
do $$
declare
    definition text := pg_get_indexdef('saga_last_error_trgm_idx'::regclass);
begin
    drop index saga_last_error_trgm_idx;
    execute definition || ' and status in (''COMPLETED'', ''COMPENSATED'', ''ESCALATED'', ''RESOLVED'')';
end
$$;
