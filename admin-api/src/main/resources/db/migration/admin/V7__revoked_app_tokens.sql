-- App tokens (edge POST /auth/token) revoked before they expire. Only the token's id (jti) is kept,
-- never the token. Rows past expires_at no longer matter and leave the snapshot; they are pruned.
create table revoked_app_token (
    token_id   text        primary key,
    tenant_id  text        not null references tenant (tenant_id),
    app_id     text        not null,
    expires_at timestamptz not null,
    revoked_at timestamptz not null,
    revoked_by text        not null
);

create index revoked_app_token_live on revoked_app_token (tenant_id, expires_at);
