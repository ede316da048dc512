-- Append-only audit log. Each entry's hash covers its content and the previous entry's hash, so
-- editing, deleting or reordering any entry breaks the chain from there on (GET /admin/audit/verify).
create table audit_entry (
    seq         bigint      primary key,
    entry_id    uuid        not null unique,
    occurred_at timestamptz not null,
    recorded_at timestamptz not null default now(),
    tenant_id   text,
    actor       text        not null,
    actor_role  text        not null,
    action      text        not null,
    target      text,
    service     text        not null,
    source_ip   text,
    request_id  text,
    details     jsonb       not null,
    prev_hash   text        not null,
    hash        text        not null
);

create index audit_entry_tenant on audit_entry (tenant_id, seq);
create index audit_entry_actor on audit_entry (actor, seq);
create index audit_entry_action on audit_entry (action, seq);
create index audit_entry_time on audit_entry (occurred_at);
