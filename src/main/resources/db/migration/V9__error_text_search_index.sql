-- The error-text search (GET /api/sagas?error=...) is a substring match, last_error ILIKE '%text%'. Without this
-- index PostgreSQL reads every saga to answer it; a trigram index finds the candidates for texts of 3 or more
-- characters (shorter ones are refused by the API). Only sagas that have an error are indexed, so the happy
-- path's inserts and updates do not pay for it. pg_trgm is a trusted extension: the database's owner may create it.
create extension if not exists pg_trgm;
create index saga_last_error_trgm_idx on saga using gin (last_error gin_trgm_ops) where last_error is not null;
