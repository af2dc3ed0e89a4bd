-- One live saga per declared key (a definition's `key:`, e.g. tt-user:<username>): two sagas that could touch the same
-- remote resource never run side by side, so one cannot delete what the other adopted. A second saga for a key that
-- is held waits, ownerless and never claimed, until the holder ends; the commit that ends the holder hands the key on
-- to the oldest waiter. An ESCALATED saga keeps its key: what it left behind is undecided until a person resolves it.
--
-- live_key: the key the saga holds or waits for; null for a saga of a definition without one.
-- key_held: false while the saga waits for its key (a saga without a key counts as holding none it could wait for).
alter table saga add column live_key text;
alter table saga add column key_held boolean not null default true;

-- the key's one holder; a second is refused by the database whatever path wrote it
create unique index saga_live_key_holder_idx on saga (live_key)
    where live_key is not null and key_held and status in ('RUNNING', 'COMPENSATING', 'ESCALATED');
-- the waiters of a key, oldest first; only waiting sagas are in it
create index saga_live_key_waiter_idx on saga (live_key, created_at, id)
    where not key_held and status in ('RUNNING', 'COMPENSATING');

-- Passes a key on when its holder ends (COMPLETED, COMPENSATED, RESOLVED), whatever path ended it: the engine, an
-- operator, a bulk job. It runs in the ending transaction, so a crash cannot lose the hand-over. The advisory lock
-- serializes it with every start that looks for the key's holder (SagaLog takes the same lock first), so a start
-- either sees the holder and waits, or sees the key free: a waiter is never left behind nobody.
create function saga_pass_live_key() returns trigger
    language plpgsql
as $$
declare
    next_id uuid;
begin
    perform pg_advisory_xact_lock(hashtextextended(new.live_key, 0));
    if exists (select 1 from saga where live_key = new.live_key and key_held
               and status in ('RUNNING', 'COMPENSATING', 'ESCALATED')) then
        return null;
    end if;
    select id into next_id from saga
    where live_key = new.live_key and not key_held and status in ('RUNNING', 'COMPENSATING')
    order by created_at, id limit 1
    for update;
    if next_id is not null then
        -- due at once for any instance; the notification wakes the listeners, the recovery scan finds it anyway
        update saga set key_held = true, owner = null, wake_at = now(), last_error = null, updated_at = now()
        where id = next_id;
        perform pg_notify('saga_dispatched', next_id::text);
    end if;
    return null;
end $$;

create trigger saga_pass_live_key after update of status on saga
    for each row
    when (new.live_key is not null and old.key_held
          and old.status in ('RUNNING', 'COMPENSATING', 'ESCALATED')
          and new.status in ('COMPLETED', 'COMPENSATED', 'RESOLVED'))
    execute function saga_pass_live_key();

-- The recovery scan claims only sagas that hold their key (or have none).
drop index saga_wake_idx;
create index saga_wake_idx on saga (wake_at) where status in ('RUNNING', 'COMPENSATING') and paused_at is null and key_held;
