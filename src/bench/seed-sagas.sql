-- Fills the saga log of a migrated database with :n historical user-sync sagas (default: psql -v n=1000000),
-- shaped like a busy year: mostly COMPLETED, some COMPENSATED, a few ESCALATED and RESOLVED, and a
-- few hundred live ones, each with its attempts. Used to show that the API's searches and the
-- recovery scan stay fast with a large history (see docs/design/performance.md).
\set ON_ERROR_STOP on
select coalesce(:'n', '1000000')::int as n \gset

-- the seeded sagas' definition: the shipped user-sync's content, with its search field, so that recording a seeded saga
-- stores its phone in saga_search as it does for a started one (V15)
insert into saga_definition (name, version, hash, content, search)
select name, 2, 'seeded', content, search from saga_definition where name = 'user-sync' and is_current
on conflict (name, version, hash) do update set search = excluded.search;

insert into saga (id, definition_name, definition_version, definition_hash, status, business_key, input, result,
                  step_index, attempt, step_states, owner, wake_at, version, last_error, created_at, updated_at)
select gen_random_uuid(), 'user-sync', 2, 'seeded',
       s.status, 'seed' || s.phone, jsonb_build_object('name', 'Seed ' || s.i, 'phone', s.phone, 'roleIds', jsonb_build_array(3),
           'username', 'seed' || s.phone),
       case when s.status = 'COMPLETED' then jsonb_build_object('liaisonId', s.i, 'remoteUserId', 'tt-' || s.i) end,
       case when s.status in ('RUNNING', 'COMPLETED') then 2 else 0 end,
       case when s.status = 'RUNNING' then 3 else 0 end,
       jsonb_build_object('tt-add-user', jsonb_build_object('effect', case when s.status = 'COMPLETED' then 'DONE' else 'COMPENSATED' end)),
       null,
       case when s.status = 'RUNNING' then now() + interval '1 hour' end,
       2,
       case when s.status <> 'COMPLETED' then 'save-liaison: RejectedFailure: seeded failure ' || (s.i % 97) end,
       s.created, s.created + interval '2 seconds'
from (select i, '1' || lpad(i::text, 10, '0') as phone,
             now() - (i::double precision / :n) * interval '365 days' as created,
             case when i % 1000 < 970 then 'COMPLETED' when i % 1000 < 990 then 'COMPENSATED'
                  when i % 1000 < 995 then 'ESCALATED' when i % 2000 = 1999 and i < 600000 then 'RUNNING' else 'RESOLVED' end as status
      from generate_series(1, :n) as i) s;

insert into saga_step_attempt (saga_id, step_name, direction, attempt, outcome, instance, started_at, ended_at, response)
select id, 'tt-add-user', 'FORWARD', 1, 'SUCCEEDED', 'seed', created_at, created_at + interval '50 milliseconds',
       jsonb_build_object('remoteUserId', 'tt-' || business_key)
from saga where definition_hash = 'seeded';

insert into saga_step_attempt (saga_id, step_name, direction, attempt, outcome, instance, started_at, ended_at)
select id, 'save-liaison', 'FORWARD', 1, case when status = 'COMPLETED' then 'SUCCEEDED' else 'REJECTED' end, 'seed',
       created_at + interval '60 milliseconds', created_at + interval '70 milliseconds'
from saga where definition_hash = 'seeded';

analyze saga;
analyze saga_search;
analyze saga_step_attempt;
select status, count(*) from saga group by status order by 2 desc;
