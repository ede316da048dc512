-- One row per proxied request, as the edge reported it. event_id is the idempotency key: a
-- redelivered event changes nothing.
create table usage_fact (
    event_id            uuid        primary key,
    occurred_at         timestamptz not null,
    tenant_id           text        not null,
    app_id              text,
    key_id              text,
    key_kind            text,
    provider            text,
    model               text,
    endpoint            text,
    status              integer     not null,
    outcome             text        not null,
    input_tokens        bigint      not null default 0,
    output_tokens       bigint      not null default 0,
    cached_input_tokens bigint      not null default 0,
    streamed            boolean     not null default false,
    partial             boolean     not null default false,
    latency_ms          bigint      not null default 0,
    overhead_ms         bigint      not null default 0,
    request_id          text,
    received_at         timestamptz not null default now()
);

create index usage_fact_tenant_time on usage_fact (tenant_id, occurred_at);
