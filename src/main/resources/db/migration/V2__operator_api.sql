-- Manual operations: a fresh attempt budget granted by an operator counts from here, so attempt
-- numbers stay unique in a step's history while the budget starts again.
alter table saga add column budget_base integer not null default 0;

-- Every manual operation, who did it, why, and what it changed.
create table saga_audit (
    id            bigint generated always as identity primary key,
    saga_id       uuid        not null references saga (id) on delete cascade,
    operation     text        not null,
    actor         text        not null,
    reason        text        not null,
    status_before text        not null,
    status_after  text        not null,
    details       jsonb,
    at            timestamptz not null default now()
);
create index saga_audit_saga_idx on saga_audit (saga_id, at);
create index saga_audit_at_idx on saga_audit (at desc, id desc);

-- Search shapes of the operator API: newest first within a status or a definition, a business key
-- (user-sync: the username, or the phone in its input), and "stuck": live sagas that have not moved.
drop index saga_status_updated_idx;
create index saga_status_created_idx on saga (status, created_at desc, id desc);
create index saga_definition_created_idx on saga (definition_name, created_at desc, id desc);
create index saga_phone_idx on saga ((input ->> 'phone'));
create index saga_live_updated_idx on saga (updated_at) where status in ('RUNNING', 'COMPENSATING');
