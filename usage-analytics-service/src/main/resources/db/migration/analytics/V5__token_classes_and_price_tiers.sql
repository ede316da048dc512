-- Every token class providers bill separately (all parts of input_tokens or output_tokens, see
-- shared-contracts Tokens), and whether the counts are the edge's own estimate of a cut stream.
alter table usage_fact add column cache_write_5m_tokens bigint not null default 0;
alter table usage_fact add column cache_write_1h_tokens bigint not null default 0;
alter table usage_fact add column reasoning_tokens bigint not null default 0;
alter table usage_fact add column audio_input_tokens bigint not null default 0;
alter table usage_fact add column audio_output_tokens bigint not null default 0;
alter table usage_fact add column estimated boolean not null default false;

alter table usage_rollup add column cache_write_5m_tokens bigint not null default 0;
alter table usage_rollup add column cache_write_1h_tokens bigint not null default 0;
alter table usage_rollup add column reasoning_tokens bigint not null default 0;
alter table usage_rollup add column audio_input_tokens bigint not null default 0;
alter table usage_rollup add column audio_output_tokens bigint not null default 0;
alter table usage_rollup add column estimated_requests bigint not null default 0;

-- A rate per token class (null: falls back, see PriceCard.Rates), an optional long-context tier that
-- prices a whole request once its prompt exceeds long_context_above tokens, and the model's output
-- ceiling (what the edge reserves when a request names no cap).
alter table price alter column cached_input_per_mtok drop not null;
alter table price add column cache_write_5m_per_mtok numeric(18, 6) check (cache_write_5m_per_mtok >= 0);
alter table price add column cache_write_1h_per_mtok numeric(18, 6) check (cache_write_1h_per_mtok >= 0);
alter table price add column audio_input_per_mtok numeric(18, 6) check (audio_input_per_mtok >= 0);
alter table price add column audio_output_per_mtok numeric(18, 6) check (audio_output_per_mtok >= 0);
alter table price add column long_context_above bigint check (long_context_above > 0);
alter table price add column long_input_per_mtok numeric(18, 6) check (long_input_per_mtok >= 0);
alter table price add column long_cached_input_per_mtok numeric(18, 6) check (long_cached_input_per_mtok >= 0);
alter table price add column long_cache_write_5m_per_mtok numeric(18, 6) check (long_cache_write_5m_per_mtok >= 0);
alter table price add column long_cache_write_1h_per_mtok numeric(18, 6) check (long_cache_write_1h_per_mtok >= 0);
alter table price add column long_output_per_mtok numeric(18, 6) check (long_output_per_mtok >= 0);
alter table price add column long_audio_input_per_mtok numeric(18, 6) check (long_audio_input_per_mtok >= 0);
alter table price add column long_audio_output_per_mtok numeric(18, 6) check (long_audio_output_per_mtok >= 0);
alter table price add column max_output_tokens bigint check (max_output_tokens >= 0);
alter table price add constraint price_long_context_whole check (
    (long_context_above is null) = (long_input_per_mtok is null)
    and (long_context_above is null) = (long_output_per_mtok is null));
alter table price add column updated_at timestamptz;

-- The first seed knew three classes only; the bundled catalogue (shared-contracts
-- prices/catalogue.json) replaces it at start-up with the same effective dates, re-rating what the
-- old rows priced (see price_rerate).
delete from price where created_by = 'seed';

-- Every change of the price table and what it re-rated: facts whose cost changed, and by how much.
create table price_rerate (
    id              bigserial      primary key,
    provider        text           not null,
    model           text           not null,
    effective_from  timestamptz    not null,
    change          text           not null check (change in ('added', 'corrected')),
    changed_by      text           not null,
    changed_at      timestamptz    not null default now(),
    facts_rerated   bigint         not null,
    cost_delta_usd  numeric(28, 12) not null
);

-- Bumped by every change of the price table, in its transaction; ingest reads it "for share" per
-- batch, so a batch is priced with the table as committed and waits while a change is re-rating.
create table price_generation (
    id         integer primary key check (id = 1),
    generation bigint  not null
);
insert into price_generation values (1, 0);
