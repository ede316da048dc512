-- The W3C traceparent of the request a message announces (null when tracing is off); the outbox
-- publisher sends it as the record's traceparent header, so a trace crosses the wait in this table.
alter table outbox add column traceparent text;
