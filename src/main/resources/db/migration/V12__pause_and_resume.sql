-- Pause and resume (issue 13): an operator stops a live saga from making new attempts, e.g. while its third party is
-- down, and lets it go on later. The pause is not part of the saga's state proper: setting it does not bump the
-- version, so the owner of an attempt in flight still commits that attempt's outcome; the engine's commits that begin
-- an attempt check it, and the recovery scan skips paused sagas.
alter table saga add column paused_at timestamptz;
alter table saga add column paused_by text;

-- The recovery scan reads only sagas it may claim: during an incident thousands may be paused with a wake-up time in
-- the past, and a scan that stepped over them every second would cost more the longer the incident lasts.
drop index saga_wake_idx;
create index saga_wake_idx on saga (wake_at) where status in ('RUNNING', 'COMPENSATING') and paused_at is null;
-- The few paused sagas, for the list filter, the stats and the gauge.
create index saga_paused_idx on saga (paused_at) where paused_at is not null;
