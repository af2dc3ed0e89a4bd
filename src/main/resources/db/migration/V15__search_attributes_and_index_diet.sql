-- An index diet for the saga table (issue 22). Every index on saga gets an entry when a saga is recorded and, since the
-- commit that ends a saga changes its status (an indexed column, so the update cannot be HOT), a second one when it
-- ends, unless the index is partial and the ended saga falls outside it. Each entry is WAL and a page to write.

-- 1. Search attributes. A definition declares the input fields its sagas are found by (search: [phone]); their values
-- live here, written once when the saga is recorded and never touched by its updates, instead of an index on one
-- application's input field inside the engine's table. The list's businessKey filter matches them too.
alter table saga_definition add column search text[];

create table saga_search (
    saga_id uuid not null references saga (id) on delete cascade,
    name    text not null,
    value   text not null,
    -- also what the cascade of a deleted saga (retention) finds its rows by
    primary key (saga_id, name)
);
create index saga_search_value_idx on saga_search (value);

-- Written by the database whatever path records the saga (the engine, saga_dispatch, a test's insert): the fields come
-- from the definition content the saga pins, as DefinitionRegistry stored it; a field the input leaves out, or gives
-- an object, an array or null, has no value to find.
create function saga_store_search() returns trigger
    language plpgsql
as $$
begin
    insert into saga_search (saga_id, name, value)
    select new.id, f, new.input ->> f
    from saga_definition d cross join unnest(d.search) f
    where d.name = new.definition_name and d.version = new.definition_version and d.hash = new.definition_hash
      and jsonb_typeof(new.input -> f) in ('string', 'number', 'boolean');
    return null;
end $$;

create trigger saga_store_search after insert on saga for each row execute function saga_store_search();

-- The sagas recorded before this migration stay findable by the phone the dropped index served.
insert into saga_search (saga_id, name, value)
select id, 'phone', input ->> 'phone' from saga where jsonb_typeof(input -> 'phone') in ('string', 'number');
drop index saga_phone_idx;

-- 2. Merged overlaps. Most sagas end COMPLETED: a list of COMPLETED sagas walks saga_created_idx (newest first) and
-- finds them at once. The other statuses are split by what they cost: the live ones (RUNNING, COMPENSATING) in an index
-- of the work in flight, which a saga leaves when it ends, and which also serves the stuck and retrying filters, the
-- gauges and the oldest live saga of the stats (it replaces saga_live_updated_idx: those read every live saga anyway);
-- the rare ended ones (COMPENSATED, ESCALATED, RESOLVED) in the status index. A saga that completes gets one entry in
-- them, when it is recorded, instead of three.
drop index saga_live_updated_idx;
drop index saga_status_created_idx;
create index saga_live_created_idx on saga (created_at desc, id desc) where status in ('RUNNING', 'COMPENSATING');
create index saga_status_created_idx on saga (status, created_at desc, id desc)
    where status in ('COMPENSATED', 'ESCALATED', 'RESOLVED');
-- a saga without a business key is never found by one
drop index saga_business_key_idx;
create index saga_business_key_idx on saga (business_key) where business_key is not null;

-- 3. Room for an attempt's outcome on its page: that update touches no indexed column, so it stays HOT (no index entry)
-- as long as the new version fits beside the old one. The saga's own updates always change indexed columns (status,
-- wake_at), so they are never HOT, and the one that ends a saga already finds room on its page (96 % did, at the default
-- fillfactor, in the harness): the saga table keeps its default. Applies to pages written from now on.
alter table saga_step_attempt set (fillfactor = 70);
