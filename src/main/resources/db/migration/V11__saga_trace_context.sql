-- Tracing (issue 14): the W3C traceparent of a saga's root span. Every later span of the saga (a run resumed by
-- recovery or by another instance, an operator's operation) is made a child of it, so one saga is one trace across
-- processes. Null when tracing was off at its start, and for a saga dispatched by SQL until its first run.
alter table saga add column trace_parent text;
