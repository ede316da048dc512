-- A server key's share of its pool's requests (key-vault-service holds the pool; this is the reference).
alter table provider_key_ref add column weight integer not null default 1;
