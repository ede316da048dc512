-- Usage against quotas: per tenant (app_id '') and per app, per calendar day and month in the
-- tenant's time zone. Maintained in the ingest transaction for facts that count towards quotas (all
-- but refusals), so it always equals the facts.
create table quota_usage (
    tenant_id    text           not null,
    app_id       text           not null,
    period       text           not null check (period in ('day', 'month')),
    period_start timestamptz    not null,
    period_end   timestamptz    not null,
    requests     bigint         not null,
    tokens       bigint         not null,
    cost_usd     numeric(28, 12) not null,
    primary key (tenant_id, app_id, period, period_start)
);

-- How far each tenant's usage is counted: the last usage-recorded.v1 offset (of the tenant's
-- partition) whose fact is in quota_usage. Edges drop their own not-yet-counted usage up to here.
create table quota_cursor (
    tenant_id       text    primary key,
    usage_partition integer not null,
    usage_offset    bigint  not null
);

-- Thresholds already notified: one row per tenant/app, limit, period and percentage, so a threshold
-- fires once per period, also across restarts and redeliveries.
create table quota_alert (
    tenant_id    text        not null,
    app_id       text        not null,
    quota        text        not null,
    period_start timestamptz not null,
    threshold    integer     not null,
    created_at   timestamptz not null default now(),
    primary key (tenant_id, app_id, quota, period_start, threshold)
);

-- Events written in the same transaction as the state they announce, sent by a relay afterwards.
create table outbox (
    id         bigserial   primary key,
    topic      text        not null,
    event_key  text        not null,
    payload    bytea       not null,
    created_at timestamptz not null default now()
);
