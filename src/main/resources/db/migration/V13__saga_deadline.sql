-- Deadlines (issue 13): when a RUNNING saga stops going forward and compensates. They live in the saga's row, so a
-- crash cannot lose them and every instance that resumes the saga sees the same instants.
-- deadline_at: the definition's deadline counted from the saga's creation; null when it has none, when an operator's
-- retry lifted it, or for a saga dispatched by SQL until its first run stores it (still counted from its creation).
alter table saga add column deadline_at timestamptz;
-- step_deadline_at: the current step's own deadline, counted from the commit that moved the saga onto the step.
alter table saga add column step_deadline_at timestamptz;
