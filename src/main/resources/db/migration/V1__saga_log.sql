-- The saga log: one row per saga (its current state, fenced by version) and one row per attempt of
-- every step in both directions (its history). The engine writes both; the API only reads.

create table saga_definition (
    name       text        not null,
    version    integer     not null,
    hash       text        not null,
    content    text        not null,
    first_seen timestamptz not null default now(),
    primary key (name, version, hash)
);

create table saga (
    id                 uuid        primary key,
    definition_name    text        not null,
    definition_version integer     not null,
    definition_hash    text        not null,
    status             text        not null check (status in
                           ('RUNNING', 'COMPLETED', 'COMPENSATING', 'COMPENSATED', 'ESCALATED', 'RESOLVED')),
    business_key       text,
    idempotency_key    text,
    input              jsonb       not null,
    result             jsonb,
    -- the step being worked on: forward while RUNNING, being undone while COMPENSATING
    step_index         integer     not null,
    -- attempts the current step has used in the current direction (its retry budget)
    attempt            integer     not null default 0,
    -- per step: whether it took effect (DONE / UNCERTAIN / COMPENSATED) and its output
    step_states        jsonb       not null default '{}',
    -- the instance advancing the saga; null while it waits for a scheduled retry
    owner              text,
    -- when someone must look at the saga again: the owner's lease expiry, or the next retry
    wake_at            timestamptz,
    -- fencing token: every write of the engine checks and bumps it, every claim bumps it
    version            bigint      not null,
    last_error         text,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    constraint saga_idempotency_key unique (definition_name, idempotency_key)
);

-- the recovery scan reads only live sagas, so its cost follows the work in flight, not the history
create index saga_wake_idx on saga (wake_at) where status in ('RUNNING', 'COMPENSATING');
create index saga_created_idx on saga (created_at desc, id desc);
create index saga_status_updated_idx on saga (status, updated_at);
create index saga_business_key_idx on saga (business_key);

create table saga_step_attempt (
    saga_id       uuid        not null references saga (id) on delete cascade,
    step_name     text        not null,
    direction     text        not null check (direction in ('FORWARD', 'COMPENSATION')),
    attempt       integer     not null,
    -- PENDING is a committed intent whose outcome is not known yet
    outcome       text        not null check (outcome in
                      ('PENDING', 'SUCCEEDED', 'FAILED', 'UNKNOWN', 'REJECTED', 'SKIPPED')),
    instance      text        not null,
    started_at    timestamptz not null,
    ended_at      timestamptz,
    error_class   text,
    error_message text,
    request       jsonb,
    response      jsonb,
    -- the key is also a fence: two instances cannot both record attempt N of a step
    primary key (saga_id, step_name, direction, attempt)
);

-- the user-sync saga's local rows; operators and tools query these names
create sequence liaison_info_seq increment by 50;

create table liaison_info (
    id             bigint      primary key,
    name           text        not null,
    phone          text        not null,
    username       text        not null,
    remote_user_id text        not null,
    created_at     timestamptz not null default now(),
    constraint liaison_info_phone_key unique (phone),
    constraint liaison_info_username_key unique (username)
);

create table lz_liaison (
    liaison_id     bigint      primary key references liaison_info (id),
    saga_id        uuid        not null,
    remote_user_id text        not null,
    remote_status  text        not null,
    created_at     timestamptz not null default now()
);
