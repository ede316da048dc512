-- Tenants, their apps and the apps' credentials. Credentials are stored only as HMAC-SHA256 under
-- the server pepper (shared-contracts CredentialHasher); the plain key is shown once at creation.

create table tenant (
    tenant_id  text        primary key,
    name       text        not null,
    status     text        not null check (status in ('ACTIVE', 'SUSPENDED')),
    time_zone  text        not null,
    plan       text        not null,
    -- Increases with every committed change to the tenant or anything it owns; the snapshot's revision.
    revision   bigint      not null default 0,
    created_at timestamptz not null,
    updated_at timestamptz not null
);

create table app (
    app_id     text        primary key,
    tenant_id  text        not null references tenant (tenant_id),
    name       text        not null,
    status     text        not null check (status in ('ACTIVE', 'SUSPENDED')),
    created_at timestamptz not null,
    updated_at timestamptz not null
);

create index app_tenant on app (tenant_id, app_id);

create table app_credential (
    credential_id text        primary key,
    app_id        text        not null references app (app_id),
    tenant_id     text        not null references tenant (tenant_id),
    hash          text        not null unique,
    -- The first characters of the key, enough to recognise it in a list; never enough to use it.
    display_prefix text       not null,
    status        text        not null check (status in ('ACTIVE', 'REVOKED')),
    expires_at    timestamptz,
    created_at    timestamptz not null,
    revoked_at    timestamptz
);

create index app_credential_app on app_credential (app_id);

-- Credentials of administrators (other than the bootstrap one), hashed like app credentials.
create table admin_key (
    key_id         text        primary key,
    hash           text        not null unique,
    display_prefix text        not null,
    role           text        not null
        check (role in ('platform-admin', 'security-officer', 'finance', 'tenant-admin')),
    tenant_id      text        references tenant (tenant_id),
    label          text        not null,
    status         text        not null check (status in ('ACTIVE', 'REVOKED')),
    created_at     timestamptz not null,
    created_by     text        not null,
    revoked_at     timestamptz,
    check ((role = 'tenant-admin') = (tenant_id is not null))
);

-- Transactional outbox: written in the same transaction as the change it announces, published to
-- Kafka afterwards, in id order, by one publisher at a time.
create table outbox (
    id           bigserial   primary key,
    topic        text        not null,
    message_key  text        not null,
    payload      bytea,
    created_at   timestamptz not null default now(),
    published_at timestamptz
);

create index outbox_unpublished on outbox (id) where published_at is null;
