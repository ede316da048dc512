-- A provider key's share of its pool's requests (several server keys of one provider and scope, or
-- several managed keys of one tenant and provider): the edge spreads requests in proportion.
alter table provider_key add column weight integer not null default 1 check (weight between 1 and 100);
