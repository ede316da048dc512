-- Quota allowances: how much of a tenant's (app_id '') or app's day and month quotas each edge may
-- admit on its own. granted_* is cumulative for the period (what the edge may have admitted in all);
-- counted_* is what ingest has counted of that edge's usage in the period. What an edge holds and
-- has not been counted yet is granted - counted; the owner never lets quota_usage plus that, summed
-- over edges whose grant has not expired, pass the limit. A grant that expired holds nothing.
create table quota_allowance (
    tenant_id        text            not null,
    app_id           text            not null,
    period           text            not null check (period in ('day', 'month')),
    period_start     timestamptz     not null,
    edge_id          text            not null,
    sequence         bigint          not null,
    granted_requests bigint          not null,
    granted_tokens   bigint          not null,
    granted_cost     numeric(28, 12) not null,
    counted_requests bigint          not null default 0,
    counted_tokens   bigint          not null default 0,
    counted_cost     numeric(28, 12) not null default 0,
    expires_at       timestamptz     not null,
    primary key (tenant_id, app_id, period, period_start, edge_id)
);
