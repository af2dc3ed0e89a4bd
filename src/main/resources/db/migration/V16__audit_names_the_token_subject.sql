-- With sign-in at an identity provider the actor's name comes from a claim (preferred_username, email) that the
-- provider may let people change; the token's subject ("sub") is never reassigned. Audit entries and bulk jobs keep
-- it beside the name; null for a password sign-in.
alter table saga_audit add column actor_subject text;
alter table bulk_operation add column actor_subject text;
