-- Most sagas start without an idempotency key, and each of them paid an entry in this index on its
-- insert and on every update that moves the row (a status change always does). Index only the
-- sagas that have a key: the uniqueness it enforces, and the look-up by key, are the same.
alter table saga drop constraint saga_idempotency_key;
create unique index saga_idempotency_key on saga (definition_name, idempotency_key) where idempotency_key is not null;
