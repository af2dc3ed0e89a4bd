-- The transactional outbox for applications in any language: an application calls saga_dispatch(...) inside its own
-- transaction on this database. The saga is recorded in that transaction, so it exists exactly when the application's
-- writes commit; pg_notify (delivered on commit only) wakes the orchestrator, and the recovery scan finds the saga
-- anyway if the notification is lost.

-- What the function needs to know of a definition without the orchestrator: which content the instance that started
-- last runs (is_current, written by DefinitionRegistry at every start), and whether its first step is local (an
-- application's transaction is the local part of a dispatched saga, so its first step must call the third party).
alter table saga_definition add column is_current boolean not null default false;
alter table saga_definition add column first_step_kind text check (first_step_kind in ('REMOTE', 'OUTBOX', 'LOCAL'));
-- why the instance that started last cannot start sagas of it (a third party without URL), as its HTTP start would say
alter table saga_definition add column cannot_start text;

-- SECURITY DEFINER: the function writes the saga log with its owner's rights, and its callers need none on the tables.
-- Its search_path is fixed below to this schema, so a caller cannot slip its own saga table or function in.
create function saga_dispatch(definition text, input jsonb, idempotency_key text default null, business_key text default null)
    returns uuid
    language plpgsql
    security definer
as $$
#variable_conflict use_column
declare
    d           record;
    known       text;
    -- whose keys these are: the login role, so two applications' keys never answer each other
    scope       text := 'sql:' || session_user;
    saga_id     uuid;
    found_input jsonb;
begin
    if saga_dispatch.definition is null then
        raise exception 'saga_dispatch: the definition is required' using errcode = '22004';
    end if;
    select name, version, hash, first_step_kind, cannot_start into d
    from saga_definition where name = saga_dispatch.definition and is_current;
    if not found then
        select string_agg(name, ', ' order by name) into known from saga_definition where is_current;
        raise exception 'saga_dispatch: there is no saga definition "%"', saga_dispatch.definition
            using errcode = '42704', hint = 'the orchestrator runs: ' || coalesce(known, '(none yet: start it once)');
    end if;
    if d.first_step_kind = 'LOCAL' then
        raise exception 'saga_dispatch: saga "%" starts with a local step and cannot be dispatched', d.name
            using errcode = '22023',
                  hint = 'a dispatched saga must start with a remote or outbox step: your transaction is its local part';
    end if;
    if d.cannot_start is not null then
        raise exception 'saga_dispatch: %', d.cannot_start using errcode = '55000';
    end if;
    if saga_dispatch.input is null or jsonb_typeof(saga_dispatch.input) <> 'object' then
        raise exception 'saga_dispatch: the input must be a JSON object, got %',
            coalesce(jsonb_typeof(saga_dispatch.input), 'null') using errcode = '22023';
    end if;
    -- the limits of the HTTP API: a saga's input is a small document, and its keys are identifiers
    if octet_length(saga_dispatch.input::text) > 65536 then
        raise exception 'saga_dispatch: the input is % bytes as JSON text, at most 65536 are accepted',
            octet_length(saga_dispatch.input::text) using errcode = '54000';
    end if;
    if saga_dispatch.idempotency_key is not null and length(saga_dispatch.idempotency_key) not between 1 and 200 then
        raise exception 'saga_dispatch: the idempotency key must be 1 to 200 characters, got %',
            length(saga_dispatch.idempotency_key) using errcode = '22023';
    end if;
    if saga_dispatch.business_key is not null and length(saga_dispatch.business_key) > 200 then
        raise exception 'saga_dispatch: the business key must be at most 200 characters, got %',
            length(saga_dispatch.business_key) using errcode = '22023';
    end if;

    -- a time-ordered id (UUID version 7: milliseconds since the epoch, then random bits), as the service makes them
    saga_id := encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                   placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
                   from 1 for 6), 52, 1), 53, 1), 'hex')::uuid;
    -- owner null and wake_at now(): due for any instance from the commit on, like a saga whose lease ran out
    insert into saga (id, definition_name, definition_version, definition_hash, status, business_key, caller,
                      idempotency_key, input, step_index, attempt, step_states, owner, wake_at, version)
    values (saga_id, d.name, d.version, d.hash, 'RUNNING', saga_dispatch.business_key, scope,
            saga_dispatch.idempotency_key, saga_dispatch.input, 0, 0, '{}', null, now(), 1)
    on conflict (definition_name, caller, idempotency_key) where idempotency_key is not null do nothing;
    if found then
        perform pg_notify('saga_dispatched', saga_id::text);
        return saga_id;
    end if;

    -- the key was used before by this caller: its saga answers, nothing new starts
    select id, input into saga_id, found_input from saga
    where definition_name = d.name and caller = scope and idempotency_key = saga_dispatch.idempotency_key;
    if not found then
        -- the row committed after this transaction's snapshot (REPEATABLE READ or SERIALIZABLE): try again
        raise exception 'saga_dispatch: idempotency key "%" was used by a transaction that committed meanwhile',
            saga_dispatch.idempotency_key using errcode = '40001';
    end if;
    if found_input <> saga_dispatch.input then
        raise exception 'saga_dispatch: idempotency key "%" was used for saga % with another input',
            saga_dispatch.idempotency_key, saga_id using errcode = '23505';
    end if;
    return saga_id;
end
$$;

-- Nobody may call it unless granted (functions are executable by PUBLIC by default); the role saga_dispatcher may, and
-- may do nothing else here. Roles belong to the whole cluster: it is made once, if this migration's user may make roles;
-- otherwise a warning says what a DBA has to run.
revoke all on function saga_dispatch(text, jsonb, text, text) from public;
do $$
begin
    execute format('alter function saga_dispatch(text, jsonb, text, text) set search_path = %I, pg_temp', current_schema());
    if not exists (select from pg_roles where rolname = 'saga_dispatcher') then
        begin
            create role saga_dispatcher nologin;
        exception
            when insufficient_privilege then
                raise warning 'role saga_dispatcher was not created (% may not create roles); as a DBA run: CREATE ROLE'
                    ' saga_dispatcher NOLOGIN; GRANT USAGE ON SCHEMA % TO saga_dispatcher; GRANT EXECUTE ON FUNCTION'
                    ' %.saga_dispatch(text, jsonb, text, text) TO saga_dispatcher;', current_user, current_schema(), current_schema();
                return;
            when duplicate_object then
                null; -- made meanwhile by the migration of another schema
        end;
    end if;
    execute format('grant usage on schema %I to saga_dispatcher', current_schema());
    grant execute on function saga_dispatch(text, jsonb, text, text) to saga_dispatcher;
end
$$;
