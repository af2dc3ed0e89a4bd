-- Retention deleted the audit entries of a saga together with the saga (ON DELETE CASCADE), so the
-- record of who repaired what vanished after saga.retention.max-age. An entry now keeps its saga's
-- id after the saga is gone, and is deleted only when older than saga.audit.retention.
alter table saga_audit drop constraint saga_audit_saga_id_fkey;
