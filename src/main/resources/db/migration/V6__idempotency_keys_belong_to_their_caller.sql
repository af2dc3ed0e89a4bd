-- An idempotency key was unique per definition, so a client sending another client's key was answered
-- with that client's saga. Keys now belong to the caller that sent them: the authenticated principal's
-- name, or a fixed scope for sagas the service dispatches in-process (see SagaOutbox).
-- Sagas recorded before this have no caller: their keys answer nobody any more, since nobody can be
-- told to be their owner; a client retrying across the upgrade starts a new saga.
alter table saga add column caller text;
-- every keyed saga from now on names its caller (NOT VALID: the sagas above have none)
alter table saga add constraint saga_keyed_has_caller check (idempotency_key is null or caller is not null) not valid;
drop index saga_idempotency_key;
create unique index saga_idempotency_key on saga (definition_name, caller, idempotency_key) where idempotency_key is not null;
