-- What the HTTP API needs besides the views.

-- Answers to requests sent with an `Idempotency-Key`, so a repeated request
-- gets the same answer without a second event. A successful command writes
-- its row in the same transaction as its events. Kept for a configured period.
create table idempotency_keys (
    -- Whose key: the caller's subject, so callers cannot replay each other's answers.
    scope        text        not null,
    key          text        not null,
    -- sha256 of method, path and body: the same key with another request is refused.
    request_hash text        not null,
    status       smallint    not null,
    answer       jsonb       not null,
    created_at   timestamptz not null default now(),
    primary key (scope, key)
);
create index idempotency_keys_created on idempotency_keys (created_at);

-- Partner organisations involved with a case: their users see the case in
-- their own domain's view. Part of the caseload view.
create table caseload_partners (
    case_id uuid not null,
    partner text not null,
    domain  text not null,
    primary key (case_id, partner)
);
create index caseload_partners_partner on caseload_partners (partner);

-- Access to a case follows its assignments, process lead included.
alter table caseload add column process_lead_id text;

-- The caseload view gained a table and a column: project it again from the start.
delete from caseload_assignments;
delete from caseload;
update projection_checkpoints
   set transaction_id = '0', global_position = 0, events_applied = 0, lag_ms = null,
       error = null, failed_at = null, updated_at = now()
 where view = 'caseload';
