-- user-sync's ttAddUser asks, when TT answers EXISTS after a lost answer, whether another saga linked that TT user
-- already (then it predates the saga): a look-up by TT user id.
create index liaison_info_remote_user_idx on liaison_info (remote_user_id);
