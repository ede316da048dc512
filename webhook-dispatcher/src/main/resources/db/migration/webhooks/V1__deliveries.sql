-- What the dispatcher knows of an endpoint beyond the tenant's snapshot: whether a 410 disabled it, and
-- whether its last delivery ran out of retries (failing).
create table endpoint_state (
    endpoint_id     text        primary key,
    tenant_id       text        not null,
    disabled_reason text,
    failing         boolean     not null default false,
    updated_at      timestamptz not null default now()
);

-- One delivery per notification and endpoint: webhook_id is the notification's eventId, the same on
-- every attempt, so receivers can de-duplicate. Pending deliveries survive restarts here.
create table delivery (
    delivery_id      bigserial   primary key,
    webhook_id       text        not null,
    tenant_id        text        not null,
    endpoint_id      text        not null,
    url              text        not null,
    event_type       text        not null,
    payload          bytea       not null,
    status           text        not null check (status in ('PENDING', 'SUCCEEDED', 'DEAD', 'CANCELLED')),
    attempts         integer     not null default 0,
    next_attempt_at  timestamptz,
    created_at       timestamptz not null default now(),
    last_status_code integer,
    last_error       text,
    finished_at      timestamptz,
    unique (webhook_id, endpoint_id)
);
create index delivery_due on delivery (next_attempt_at) where status = 'PENDING';
create index delivery_endpoint on delivery (endpoint_id, created_at);

create table attempt (
    delivery_id bigint      not null references delivery (delivery_id) on delete cascade,
    attempt     integer     not null,
    started_at  timestamptz not null,
    latency_ms  bigint      not null,
    status_code integer,
    error       text,
    primary key (delivery_id, attempt)
);
