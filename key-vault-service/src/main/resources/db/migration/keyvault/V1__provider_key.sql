-- Metadata of provider keys. Key material is never here: it lives in the KeyStore (Vault, or the
-- local sealed store) under keys/{tenant_id}/{key_id}/v{key_version}.
create table provider_key (
    key_id       text        primary key,
    tenant_id    text        not null,
    provider     text        not null,
    kind         text        not null check (kind in ('SERVER', 'MANAGED', 'SPLIT')),
    key_version  integer     not null check (key_version > 0),
    status       text        not null check (status in ('ACTIVE', 'REVOKED')),
    label        text,
    fingerprint  text        not null,
    created_at   timestamptz not null,
    rotated_at   timestamptz,
    last_used_at timestamptz
);

create index provider_key_lookup on provider_key (tenant_id, provider, kind, status);
