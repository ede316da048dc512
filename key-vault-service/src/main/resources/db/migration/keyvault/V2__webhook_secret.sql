-- Versions of webhook signing secrets. The secrets themselves are in the KeyStore under
-- webhooks/{tenant_id}/{endpoint_id}/v{version}; here only what is needed to list and retire them.
create table webhook_secret (
    tenant_id   text        not null,
    endpoint_id text        not null,
    version     integer     not null check (version > 0),
    fingerprint text        not null,
    created_at  timestamptz not null,
    primary key (endpoint_id, version)
);

create index webhook_secret_tenant on webhook_secret (tenant_id, endpoint_id);
