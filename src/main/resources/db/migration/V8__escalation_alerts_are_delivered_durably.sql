-- The escalation webhook was one best-effort POST: a receiver down for a minute, or a crash right
-- after the escalation, lost the alert. Each alert is now a row written in the transaction that
-- records the escalation, and stays until the receiver accepted it (or delivery gave up, see
-- saga.escalation.delivery.give-up-after). Its id is the de-duplication key receivers get.
create table escalation_alert (
    id              uuid        primary key,
    saga_id         uuid        not null,
    -- the exact JSON sent on every attempt, so a signature and a receiver's de-duplication see one alert
    body            text        not null,
    attempts        integer     not null default 0,
    -- when the next attempt is due; a claimed alert is pushed out by the claim, like a lease
    next_attempt_at timestamptz not null default now(),
    last_error      text,
    created_at      timestamptz not null default now()
);
create index escalation_alert_due_idx on escalation_alert (next_attempt_at);
