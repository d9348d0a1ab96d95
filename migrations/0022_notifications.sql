-- Notifications to partners. Each target (NATS, or a webhook subscription)
-- is a tracking reader of the log with its own checkpoint, like a view's:
-- the log is the outbox, so there is no outbox table. `attempts` counts
-- failures in a row at the notification the target stands at; a target
-- that gives up after too many is `dead` until an operator redelivers.
create table notification_targets (
    target          text        primary key,
    transaction_id  xid8        not null,
    global_position bigint      not null,
    delivered       bigint      not null default 0,
    error           text,
    failed_at       timestamptz,
    attempts        integer     not null default 0,
    dead            boolean     not null default false,
    updated_at      timestamptz not null default now()
);

-- Webhook subscriptions (the manner of the ZGW Notificaties API), managed
-- by an administrator through the API. `secret` signs the deliveries;
-- `authorization_header` is sent with them. Whose notifications: a partner's, or
-- (no partner) a municipality's own.
create table webhook_subscriptions (
    id            uuid        primary key,
    callback_url  text        not null,
    authorization_header text,
    secret        text        not null,
    municipality  text,
    partner       text,
    types         text[]      not null default '{}',
    created_at    timestamptz not null default now(),
    created_by    text        not null,
    check (partner is not null or municipality is not null)
);
