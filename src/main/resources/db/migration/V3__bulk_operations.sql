-- A manual operation applied to every saga a filter matched when it was submitted, run by the
-- server in the background; each saga's outcome is kept.
create table bulk_operation (
    id          uuid        primary key,
    operation   text        not null,
    reason      text        not null,
    force       boolean     not null,
    filter      jsonb       not null,
    actor       text        not null,
    status      text        not null check (status in ('RUNNING', 'DONE')),
    total       integer     not null,
    owner       text,
    lease_until timestamptz,
    created_at  timestamptz not null default now(),
    finished_at timestamptz
);
create index bulk_operation_running_idx on bulk_operation (lease_until) where status = 'RUNNING';

create table bulk_operation_item (
    bulk_id      uuid not null references bulk_operation (id) on delete cascade,
    saga_id      uuid not null,
    outcome      text not null check (outcome in ('PENDING', 'APPLIED', 'REFUSED', 'FAILED')),
    status_after text,
    detail       text,
    done_at      timestamptz,
    primary key (bulk_id, saga_id)
);
