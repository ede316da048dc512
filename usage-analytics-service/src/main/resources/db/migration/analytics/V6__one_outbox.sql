-- The outbox in service-support's one shape (admin-api's): sent messages are marked, kept a week and
-- then deleted; the key column has the common name; a null payload is a tombstone.
alter table outbox rename column event_key to message_key;
alter table outbox alter column payload drop not null;
alter table outbox add column published_at timestamptz;
create index outbox_unpublished on outbox (id) where published_at is null;
