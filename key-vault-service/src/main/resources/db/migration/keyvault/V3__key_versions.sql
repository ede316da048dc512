-- Every key now keeps its versions: the current one, and superseded ones that still work until their
-- grace ends. Material is in the KeyStore (Vault KV v2 at <prefix>/tenants/{tenant_id}/keys/{key_id},
-- one Transit ciphertext per live version); here only what is needed to list, serve and retire them.
alter table provider_key add column scope_tenant_id text;
alter table provider_key add column revoked_at timestamptz;

create table provider_key_version (
    key_id       text        not null references provider_key (key_id) on delete cascade,
    version      integer     not null check (version > 0),
    fingerprint  text        not null,
    created_at   timestamptz not null,
    grace_until  timestamptz,
    destroyed_at timestamptz,
    primary key (key_id, version)
);

insert into provider_key_version (key_id, version, fingerprint, created_at)
select key_id, key_version, fingerprint, coalesce(rotated_at, created_at) from provider_key;

create index provider_key_version_grace on provider_key_version (grace_until) where destroyed_at is null;
create index provider_key_tenant on provider_key (tenant_id, status);
