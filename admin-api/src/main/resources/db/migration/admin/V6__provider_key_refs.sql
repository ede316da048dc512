-- References to operator server keys registered through key-vault-service. Never the key: its id,
-- provider, version and non-secret fingerprint only.
create table provider_key_ref (
    key_id        text        primary key,
    provider      text        not null,
    label         text,
    key_version   integer     not null,
    fingerprint   text        not null,
    status        text        not null check (status in ('ACTIVE', 'REVOKED')),
    registered_by text        not null,
    registered_at timestamptz not null,
    revoked_at    timestamptz
);
