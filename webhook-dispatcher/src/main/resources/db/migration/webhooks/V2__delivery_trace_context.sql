-- The W3C traceparent of the notification a delivery carries (null when tracing is off): every
-- attempt, however much later, is a span of the trace that caused it.
alter table delivery add column traceparent text;
