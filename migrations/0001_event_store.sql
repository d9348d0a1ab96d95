-- The event log: postgres-es's `events` and `snapshots` tables, plus the
-- columns that give every event a global order. postgres-es inserts named
-- columns, so ours fill themselves from their defaults.

create table events (
    aggregate_type  text        not null,
    aggregate_id    text        not null,
    sequence        bigint      not null check (sequence >= 1),
    event_type      text        not null,
    event_version   text        not null,
    payload         jsonb       not null,
    metadata        jsonb       not null,
    -- Taken at insert; transactions may commit in another order, so readers
    -- that need a gap-free order read (transaction_id, global_position) below
    -- the oldest running transaction (see docs/architecture.md).
    global_position bigint      not null generated always as identity,
    transaction_id  xid8        not null default pg_current_xact_id(),
    recorded_at     timestamptz not null default now(),
    primary key (aggregate_type, aggregate_id, sequence)
);

create unique index events_global_position on events (global_position);
create index events_commit_order on events (transaction_id, global_position);

comment on table events is 'Append-only event log: UPDATE, DELETE and TRUNCATE are refused.';

create function events_refuse_change() returns trigger
language plpgsql as $$
begin
    raise exception 'the event log is append-only: % on events is refused', tg_op
        using errcode = 'restrict_violation',
              hint = 'Record a correction as a new event (EntryCorrected) instead.';
end;
$$;

-- Statement-level, so the refusal holds even when no row matches.
create trigger events_append_only
    before update or delete on events
    for each statement execute function events_refuse_change();

create trigger events_no_truncate
    before truncate on events
    for each statement execute function events_refuse_change();

-- One snapshot per case, replaced as the case grows. A snapshot is a cache of
-- the aggregate's state (which holds no personal data), never a source of truth.
create table snapshots (
    aggregate_type   text   not null,
    aggregate_id     text   not null,
    last_sequence    bigint not null check (last_sequence >= 0),
    current_snapshot bigint not null check (current_snapshot >= 0),
    payload          jsonb  not null,
    primary key (aggregate_type, aggregate_id)
);
