-- Verified compensation (issue 24, part 3): the check that a compensation really undid is an attempt like any other, in a
-- direction of its own. No new table: the attempt row says which answer was the compensation's and which the check's.
alter table saga_step_attempt drop constraint saga_step_attempt_direction_check;
alter table saga_step_attempt add constraint saga_step_attempt_direction_check
    check (direction in ('FORWARD', 'COMPENSATION', 'VERIFY'));
