-- Waiting for a signal (issue 23, part 3). A saga at an await step waits released: no owner, no lease, due again when
-- its wait runs out (wake_at) or at once when its signal comes. Its row says what it waits for, so the list, the stats,
-- the gauges and the console show it as waiting without reading its definition.
-- waiting_for: the signal the saga waits for, written by the commit that releases it at its await and cleared by every
-- later write of the saga (a signal taken, a timeout, an operator's repair).
alter table saga add column waiting_for text;
create index saga_waiting_idx on saga (waiting_for) where waiting_for is not null;

-- An await may be the first step of a saga.
alter table saga_definition drop constraint saga_definition_first_step_kind_check;
alter table saga_definition add constraint saga_definition_first_step_kind_check
    check (first_step_kind in ('REMOTE', 'OUTBOX', 'LOCAL', 'AWAIT'));
-- What saga_signal needs to know of a definition without the orchestrator: its awaits, as {"signal": "step name"},
-- written by every instance at its start for what it runs (null for a definition no instance ran since this migration:
-- it has no awaits, or saga_signal cannot tell, and refuses).
alter table saga_definition add column signals jsonb;

-- The signals sent to sagas, kept until the saga they were sent to is deleted. A signal sent before its saga reaches
-- the await is kept for it; the await takes the one that is not refused. Sending the same signal id twice keeps one.
create table saga_signal (
    saga_id     uuid        not null references saga (id) on delete cascade,
    -- the sender's id for the signal: the same id sent again is the same signal
    signal_id   text        not null check (length(signal_id) between 1 and 200),
    signal_name text        not null,
    payload     jsonb       not null,
    -- who sent it: an HTTP caller's subject, or sql:<login role>
    sender      text        not null,
    received_at timestamptz not null default now(),
    -- why the saga did not take it (its payload does not match the await's, for a signal sent by SQL); null: it stands
    refused     text,
    primary key (saga_id, signal_id)
);
-- one standing signal per await of a saga: a second one, under another id, is refused when it is sent
create unique index saga_signal_standing_idx on saga_signal (saga_id, signal_name) where refused is null;

-- saga_signal(saga, signal, payload, signal_id): sends a signal from the application's own transaction, beside
-- saga_dispatch. The signal is kept with that transaction, so it exists exactly when the application's writes commit;
-- pg_notify (delivered on commit only) wakes the orchestrator, and the recovery scan finds the saga anyway.
-- Returns 'accepted', or 'duplicate' when the same id was sent with the same payload before (nothing changes).
-- The payload's schema is the orchestrator's to check (SQL cannot read the definition): a signal whose payload does
-- not match is refused when the saga reaches it (saga_signal.refused says why) and the saga keeps waiting.
create function saga_signal(saga uuid, signal text, payload jsonb, signal_id text)
    returns text
    language plpgsql
    security definer
as $$
#variable_conflict use_column
declare
    -- the parameters under names of their own: "saga_signal.x" would also name the table's columns in its queries
    want_saga    uuid  := $1;
    want_signal  text  := $2;
    want_payload jsonb := $3;
    want_id      text  := $4;
    s         record;
    awaits    jsonb;
    step      text;
    kept      record;
begin
    if want_saga is null or want_signal is null or want_id is null then
        raise exception 'saga_signal: the saga, the signal and the signal id are required' using errcode = '22004';
    end if;
    if length(want_id) not between 1 and 200 then
        raise exception 'saga_signal: the signal id must be 1 to 200 characters, got %', length(want_id)
            using errcode = '22023';
    end if;
    if want_payload is null or jsonb_typeof(want_payload) <> 'object' then
        raise exception 'saga_signal: the payload must be a JSON object, got %',
            coalesce(jsonb_typeof(want_payload), 'null') using errcode = '22023';
    end if;
    if octet_length(want_payload::text) > 65536 then
        raise exception 'saga_signal: the payload is % bytes as JSON text, at most 65536 are accepted',
            octet_length(want_payload::text) using errcode = '54000';
    end if;
    -- the row lock orders signals with the engine's commits and with each other
    select id, status, step_states, waiting_for, owner, definition_name, definition_version, definition_hash into s
    from saga where id = want_saga for update;
    if not found then
        raise exception 'saga_signal: there is no saga %', want_saga using errcode = 'P0002';
    end if;

    -- the same id again: the same answer, nothing changes
    select signal_name, payload into kept from saga_signal where saga_id = s.id and signal_id = want_id;
    if found then
        if kept.signal_name = want_signal and kept.payload = want_payload then
            return 'duplicate';
        end if;
        raise exception 'saga_signal: signal id "%" was sent to saga % before, as signal "%" with another payload',
            want_id, s.id, kept.signal_name using errcode = '23505';
    end if;

    select d.signals into awaits from saga_definition d
    where d.name = s.definition_name and d.version = s.definition_version and d.hash = s.definition_hash;
    step := awaits ->> want_signal;
    if step is null then
        raise exception 'saga_signal: saga % (%) waits for no signal "%"', s.id, s.definition_name, want_signal
            using errcode = '42704',
                  hint = 'its definition waits for: ' || coalesce((select string_agg(k, ', ') from jsonb_object_keys(awaits) k), '(none)');
    end if;
    if s.status <> 'RUNNING' then
        raise exception 'saga_signal: saga % is %: it waits for no signal any more', s.id, s.status using errcode = '55000';
    end if;
    if s.step_states ? step then
        raise exception 'saga_signal: saga % is past its await "%" already', s.id, step using errcode = '55000';
    end if;
    if exists (select from saga_signal where saga_id = s.id and signal_name = want_signal and refused is null) then
        raise exception 'saga_signal: saga % has a signal "%" already, under another id', s.id, want_signal
            using errcode = '23505';
    end if;

    insert into saga_signal (saga_id, signal_id, signal_name, payload, sender)
    values (s.id, want_id, want_signal, want_payload,
            -- the service (which owns this function) names its HTTP caller; any other login is named by its role
            case when session_user = current_user then coalesce(nullif(current_setting('saga.signal_sender', true), ''),
                'sql:' || session_user) else 'sql:' || session_user end);
    if s.waiting_for = want_signal and s.owner is null then
        -- due at once, and the listener takes it on commit
        update saga set wake_at = now() where id = s.id;
        perform pg_notify('saga_dispatched', s.id::text);
    end if;
    return 'accepted';
end
$$;

revoke all on function saga_signal(uuid, text, jsonb, text) from public;
do $$
begin
    execute format('alter function saga_signal(uuid, text, jsonb, text) set search_path = %I, pg_temp', current_schema());
    if exists (select from pg_roles where rolname = 'saga_dispatcher') then
        grant execute on function saga_signal(uuid, text, jsonb, text) to saga_dispatcher;
    else
        raise warning 'role saga_dispatcher does not exist: as a DBA, grant it EXECUTE ON FUNCTION %.saga_signal(uuid, text, jsonb, text)',
            current_schema();
    end if;
end
$$;
