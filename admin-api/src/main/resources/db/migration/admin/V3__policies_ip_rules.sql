-- Policy documents (allow-lists, rate limits, quotas, alert thresholds, body size), one per tenant
-- and optionally one per app. Stored as the JSON of shared-contracts' TenantConfigSnapshot.Policy.
create table policy (
    tenant_id  text        not null references tenant (tenant_id),
    app_id     text        references app (app_id),
    document   jsonb       not null,
    updated_at timestamptz not null
);

create unique index policy_of_tenant on policy (tenant_id) where app_id is null;
create unique index policy_of_app on policy (app_id) where app_id is not null;

-- CIDR allow and deny rules; tenant_id null means global (every tenant).
create table ip_rule (
    rule_id     text        primary key,
    tenant_id   text        references tenant (tenant_id),
    kind        text        not null check (kind in ('ALLOW', 'DENY')),
    cidr        text        not null,
    description text,
    created_at  timestamptz not null,
    created_by  text        not null
);

create index ip_rule_scope on ip_rule (tenant_id, rule_id);

-- Revision of the platform-wide configuration (global IP rules), published as tenant "_platform".
create table platform_config (
    id       integer primary key check (id = 1),
    revision bigint  not null
);

insert into platform_config (id, revision) values (1, 0);
