-- Responses of create requests sent with an Idempotency-Key, so a retried request returns the first
-- answer instead of creating twice. Secrets in a response are removed before it is stored.
create table idempotency_record (
    actor        text        not null,
    key          text        not null,
    request_hash text        not null,
    status       integer     not null,
    response     jsonb       not null,
    created_at   timestamptz not null default now(),
    primary key (actor, key)
);

create index idempotency_record_age on idempotency_record (created_at);
