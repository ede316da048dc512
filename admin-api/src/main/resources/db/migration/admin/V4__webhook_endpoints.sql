-- Where the dispatcher delivers a tenant's notifications. The signing secret is not here: it lives
-- in key-vault-service's key store, versioned; this row names the current version.
create table webhook_endpoint (
    endpoint_id    text        primary key,
    tenant_id      text        not null references tenant (tenant_id),
    url            text        not null,
    event_types    jsonb       not null,
    active         boolean     not null,
    secret_version integer     not null check (secret_version > 0),
    created_at     timestamptz not null,
    updated_at     timestamptz not null
);

create index webhook_endpoint_tenant on webhook_endpoint (tenant_id, endpoint_id);
