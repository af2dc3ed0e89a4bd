-- user-sync-outbox saves the liaison before TT knows the user: until then it has no remote id, and
-- if TT refuses the user for good the row stays, marked REJECTED, rather than vanish (nothing a
-- user entered is silently lost). Rows of the user-sync saga are SYNCED from the start.
alter table liaison_info alter column remote_user_id drop not null;
alter table liaison_info add column sync_status text not null default 'SYNCED'
    check (sync_status in ('PENDING', 'SYNCED', 'REJECTED'));
alter table liaison_info add column sync_error text;
alter table liaison_info add constraint liaison_info_synced_has_remote_id
    check (sync_status <> 'SYNCED' or remote_user_id is not null);
