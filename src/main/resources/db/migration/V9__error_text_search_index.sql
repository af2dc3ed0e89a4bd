-- The error-text search (GET /api/sagas?error=...) is a substring match, last_error ILIKE '%text%'. Without this
-- index PostgreSQL reads every saga to answer it; a trigram index finds the candidates for texts of 3 or more
-- characters (shorter ones are refused by the API). Only sagas that have an error are indexed, so the happy
-- path's inserts and updates do not pay for it. pg_trgm is a trusted extension: the database's owner may create it.
create extension if not exists pg_trgm;
-- The extension may already live in another schema than the saga log's (e.g. public, installed by another
-- application, or by a first saga log in the same database), which need not be on the search path: name its
-- operator class by that schema.
do $$
declare
    trgm_schema text;
begin
    select n.nspname into strict trgm_schema
    from pg_extension e join pg_namespace n on n.oid = e.extnamespace
    where e.extname = 'pg_trgm';
    execute format('create index saga_last_error_trgm_idx on saga using gin (last_error %I.gin_trgm_ops)'
                   ' where last_error is not null', trgm_schema);
end
$$;
