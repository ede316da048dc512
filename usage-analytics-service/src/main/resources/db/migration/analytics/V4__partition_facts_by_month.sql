-- Raw facts partitioned by calendar month (UTC) of occurred_at, so old months are dropped whole when
-- their retention ends and queries of a month touch one partition. The key includes occurred_at (as
-- PostgreSQL requires for a partitioned table); an event keeps its occurred_at on every redelivery,
-- so (event_id, occurred_at) is still the idempotency key. A default partition catches what no month
-- partition covers yet; FactPartitions creates month partitions ahead of time.
alter table usage_fact rename to usage_fact_unpartitioned;
alter index usage_fact_tenant_time rename to usage_fact_unpartitioned_tenant_time;
alter index usage_fact_unpriced rename to usage_fact_unpartitioned_unpriced;

create table usage_fact (
    event_id            uuid           not null,
    occurred_at         timestamptz    not null,
    tenant_id           text           not null,
    app_id              text,
    key_id              text,
    key_kind            text,
    provider            text,
    model               text,
    endpoint            text,
    status              integer        not null,
    outcome             text           not null,
    input_tokens        bigint         not null default 0,
    output_tokens       bigint         not null default 0,
    cached_input_tokens bigint         not null default 0,
    streamed            boolean        not null default false,
    partial             boolean        not null default false,
    latency_ms          bigint         not null default 0,
    overhead_ms         bigint         not null default 0,
    request_id          text,
    received_at         timestamptz    not null default now(),
    cost_usd            numeric(24, 12),
    priced              boolean        not null default false,
    primary key (event_id, occurred_at)
) partition by range (occurred_at);

create table usage_fact_default partition of usage_fact default;
create index usage_fact_tenant_time on usage_fact (tenant_id, occurred_at);
create index usage_fact_unpriced on usage_fact (tenant_id, occurred_at) where not priced;

insert into usage_fact select event_id, occurred_at, tenant_id, app_id, key_id, key_kind, provider, model, endpoint,
    status, outcome, input_tokens, output_tokens, cached_input_tokens, streamed, partial, latency_ms, overhead_ms,
    request_id, received_at, cost_usd, priced
from usage_fact_unpartitioned;
drop table usage_fact_unpartitioned;
