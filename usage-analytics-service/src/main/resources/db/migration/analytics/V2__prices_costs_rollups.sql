-- Prices per provider and model, versioned by effective date. A model row matches the event's model
-- exactly or as a prefix ("gpt-4o-mini" prices "gpt-4o-mini-2024-07-18"); the longest match wins.
-- Amounts are USD per million tokens, exact decimals.
create table price (
    provider              text          not null,
    model                 text          not null,
    effective_from        timestamptz   not null,
    input_per_mtok        numeric(18, 6) not null check (input_per_mtok >= 0),
    cached_input_per_mtok numeric(18, 6) not null check (cached_input_per_mtok >= 0),
    output_per_mtok       numeric(18, 6) not null check (output_per_mtok >= 0),
    created_by            text          not null,
    created_at            timestamptz   not null default now(),
    primary key (provider, model, effective_from)
);

-- The cost of each fact, priced at ingest with the price in effect when the request happened. Null
-- (and priced = false) when no price matched: the tokens are kept, the fact is flagged, never zero.
alter table usage_fact add column cost_usd numeric(24, 12);
alter table usage_fact add column priced boolean not null default false;
create index usage_fact_unpriced on usage_fact (tenant_id, occurred_at) where not priced;

-- Rollups per tenant / app / key / provider / model and UTC hour, day and month, maintained in the
-- same transaction as the facts they count (only for facts that were new), so they never drift.
create table usage_rollup (
    granularity         text           not null check (granularity in ('hour', 'day', 'month')),
    bucket              timestamptz    not null,
    tenant_id           text           not null,
    app_id              text           not null default '',
    key_id              text           not null default '',
    provider            text           not null default '',
    model               text           not null default '',
    requests            bigint         not null,
    input_tokens        bigint         not null,
    output_tokens       bigint         not null,
    cached_input_tokens bigint         not null,
    cost_usd            numeric(28, 12) not null,
    unpriced_requests   bigint         not null,
    primary key (granularity, tenant_id, bucket, app_id, key_id, provider, model)
);

-- Public list prices (USD per million tokens) of the main models, effective from 2025-01-01;
-- finance edits them through POST /analytics/prices (a new row with a later effective date).
insert into price (provider, model, effective_from, input_per_mtok, cached_input_per_mtok, output_per_mtok, created_by)
values
    ('openai', 'gpt-4o', '2025-01-01T00:00:00Z', 2.50, 1.25, 10.00, 'seed'),
    ('openai', 'gpt-4o-mini', '2025-01-01T00:00:00Z', 0.15, 0.075, 0.60, 'seed'),
    ('openai', 'gpt-4.1', '2025-01-01T00:00:00Z', 2.00, 0.50, 8.00, 'seed'),
    ('openai', 'gpt-4.1-mini', '2025-01-01T00:00:00Z', 0.40, 0.10, 1.60, 'seed'),
    ('openai', 'gpt-4.1-nano', '2025-01-01T00:00:00Z', 0.10, 0.025, 0.40, 'seed'),
    ('openai', 'o3', '2025-01-01T00:00:00Z', 2.00, 0.50, 8.00, 'seed'),
    ('openai', 'o4-mini', '2025-01-01T00:00:00Z', 1.10, 0.275, 4.40, 'seed'),
    ('openai', 'text-embedding-3-small', '2025-01-01T00:00:00Z', 0.02, 0.02, 0.00, 'seed'),
    ('openai', 'text-embedding-3-large', '2025-01-01T00:00:00Z', 0.13, 0.13, 0.00, 'seed'),
    ('anthropic', 'claude-3-5-haiku', '2025-01-01T00:00:00Z', 0.80, 0.08, 4.00, 'seed'),
    ('anthropic', 'claude-3-7-sonnet', '2025-01-01T00:00:00Z', 3.00, 0.30, 15.00, 'seed'),
    ('anthropic', 'claude-sonnet-4', '2025-01-01T00:00:00Z', 3.00, 0.30, 15.00, 'seed'),
    ('anthropic', 'claude-opus-4', '2025-01-01T00:00:00Z', 15.00, 1.50, 75.00, 'seed'),
    ('gemini', 'gemini-2.0-flash', '2025-01-01T00:00:00Z', 0.10, 0.025, 0.40, 'seed'),
    ('gemini', 'gemini-2.5-flash', '2025-01-01T00:00:00Z', 0.30, 0.075, 2.50, 'seed'),
    ('gemini', 'gemini-2.5-pro', '2025-01-01T00:00:00Z', 1.25, 0.31, 10.00, 'seed'),
    ('groq', 'llama-3.3-70b-versatile', '2025-01-01T00:00:00Z', 0.59, 0.59, 0.79, 'seed'),
    ('groq', 'llama-3.1-8b-instant', '2025-01-01T00:00:00Z', 0.05, 0.05, 0.08, 'seed'),
    ('mistral', 'mistral-large', '2025-01-01T00:00:00Z', 2.00, 2.00, 6.00, 'seed'),
    ('mistral', 'mistral-small', '2025-01-01T00:00:00Z', 0.10, 0.10, 0.30, 'seed'),
    ('compat:demo', 'demo-', '2025-01-01T00:00:00Z', 0.00, 0.00, 0.00, 'seed');
