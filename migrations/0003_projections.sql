-- Read models. Each view is a set of tables kept by one tracking projector,
-- with its checkpoint in `projection_checkpoints`, updated in the same
-- transaction as its tables. Every view can be rebuilt from the log: the
-- rebuild fills copies in schema `casus_rebuild` and swaps them in.

create schema casus_rebuild;
create schema casus_retired;

create table projection_checkpoints (
    view            text        primary key,
    -- The last applied event, in commit order: (transaction_id, global_position).
    transaction_id  xid8        not null default '0',
    global_position bigint      not null default 0,
    events_applied  bigint      not null default 0,
    -- Commit-to-applied lag of the last batch.
    lag_ms          bigint,
    updated_at      timestamptz not null default now(),
    -- Set while the view is stopped by an event it cannot apply.
    error           text,
    failed_at       timestamptz
);

-- Wakes the projectors when events commit (NOTIFY is delivered at commit).
create function events_notify() returns trigger
language plpgsql as $$
begin
    perform pg_notify('casus_events', '');
    return null;
end;
$$;

create trigger events_notify
    after insert on events
    for each statement execute function events_notify();

-- The case overview of the social domain. `justice_case_view` has the same
-- columns; a column restricted to one domain stays empty in the other's table.
create table social_case_view (
    case_id              uuid        primary key,
    version              bigint      not null,
    municipality         text        not null,
    focus_area           text        not null,
    team                 text        not null,
    holding_domain       text        not null,
    stage                text        not null,
    subject_id           uuid        not null,
    subject_name         text,
    date_of_birth        date,
    erased               boolean     not null default false,
    referred_on          date        not null,
    referred_by          text        not null,
    referral_reason      text,
    referral_goal        text,
    triage_decision      text,
    case_lead_id         text,
    case_lead_name       text,
    process_lead_id      text,
    process_lead_name    text,
    risk_level           text,
    risk_assessed_on     date,
    last_contact_on      date,
    -- social only
    last_contact_summary text,
    -- the latest signal this domain may see
    last_signal_kind     text,
    last_signal_on       date,
    last_signal_summary  text,
    escalated_to         text,
    escalated_on         date,
    -- justice only
    escalation_reason    text,
    closed_on            date,
    result               text,
    -- recorded_at of the last applied event, so a rebuild gives the same row
    updated_at           timestamptz not null
);
create index social_case_view_team on social_case_view (municipality, team);
create index social_case_view_area on social_case_view (municipality, focus_area, stage);

create table justice_case_view (like social_case_view including all);

-- The plan of each case, shared by both domains: goals, interventions (kind
-- and status, never a summary) and reviews.
create table case_plan (
    case_id    uuid        primary key,
    version    bigint      not null,
    updated_at timestamptz not null
);

create table case_goals (
    case_id     uuid not null,
    goal_id     uuid not null,
    description text,
    target_date date not null,
    achieved_on date,
    primary key (case_id, goal_id)
);
create index case_goals_open_target on case_goals (target_date) where achieved_on is null;

create table case_interventions (
    case_id         uuid not null,
    intervention_id uuid not null,
    kind            text not null,
    provider        text not null,
    domain          text not null,
    status          text not null,
    planned_on      date not null,
    started_on      date,
    ended_on        date,
    outcome         text,
    primary key (case_id, intervention_id)
);

create table case_reviews (
    case_id      uuid not null,
    review_id    uuid not null,
    due_on       date not null,
    completed_on date,
    primary key (case_id, review_id)
);
create index case_reviews_open_due on case_reviews (due_on) where completed_on is null;

-- One row per entry of a case's history, with what each domain may see of it.
create table case_timeline (
    case_id            uuid        not null,
    sequence           bigint      not null,
    global_position    bigint      not null,
    event_type         text        not null,
    occurred_on        date,
    recorded_at        timestamptz not null,
    actor_id           text,
    actor_name         text,
    actor_role         text,
    actor_organisation text,
    -- what happened, without restricted content: both domains see it when the row is visible
    title              text        not null,
    -- the content, as each domain may see it (empty where it may not)
    detail_social      text,
    detail_justice     text,
    social             boolean     not null,
    justice            boolean     not null,
    primary key (case_id, sequence)
);

-- Supervisors' caseload: one row per case, and who is assigned to it.
create table caseload (
    case_id         uuid        primary key,
    version         bigint      not null,
    municipality    text        not null,
    focus_area      text        not null,
    team            text        not null,
    stage           text        not null,
    risk_level      text,
    case_lead_id    text,
    case_lead_name  text,
    referred_on     date        not null,
    last_contact_on date,
    closed_on       date,
    updated_at      timestamptz not null
);
create index caseload_team on caseload (municipality, team, stage);

create table caseload_assignments (
    case_id     uuid not null,
    worker_id   text not null,
    worker_name text not null,
    team        text not null,
    primary key (case_id, worker_id)
);
create index caseload_assignments_worker on caseload_assignments (worker_id);
