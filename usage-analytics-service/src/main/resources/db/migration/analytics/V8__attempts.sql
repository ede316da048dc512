-- A request the edge failed over from one key to another has one fact per attempt, all with its
-- request_id: `attempt` numbers them (0: none numbered), `failed_over` marks the ones the edge moved on
-- from. Their tokens and cost count; the request is counted once, by the attempt that answered.
alter table usage_fact add column attempt integer not null default 0;
alter table usage_fact add column failed_over boolean not null default false;
alter table usage_rollup add column failed_over_attempts bigint not null default 0;
