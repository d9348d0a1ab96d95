-- Privacy: the young person's personal data in the events is sealed with a
-- key of their own (crypto-shredding), kept here wrapped by the master key
-- from configuration. Erasure destroys the key; the events stay as written.

-- One data key per young person. `wrapped` is the key sealed with the master
-- key (nonce ‖ ciphertext); null once the key is destroyed.
create table subject_keys (
    subject_id    uuid primary key,
    wrapped       bytea,
    -- Which master key wrapped it (a fingerprint, not the key), so a server
    -- started with another master key says so instead of failing to open.
    master_key_id text not null,
    created_at    timestamptz not null default now(),
    erased_at     timestamptz,
    check ((wrapped is null) = (erased_at is not null))
);

-- Which young person a case is about: written with the referral, in the same
-- transaction, so the store can seal any later event of the case.
create table case_subjects (
    case_id    uuid primary key,
    subject_id uuid not null
);
create index case_subjects_subject on case_subjects (subject_id);

insert into case_subjects (case_id, subject_id)
select aggregate_id::uuid, (payload->'CaseReferred'->>'subject')::uuid
  from events
 where aggregate_type = 'YouthCase' and event_type = 'CaseReferred'
on conflict do nothing;

-- How long a closed case is kept, by its result, before `casus retention`
-- erases the young person (once every case about them is past its period).
-- The defaults follow the norm for youth-care files (Jeugdwet art. 7.3.8:
-- 20 years) for cases that were worked; 5 years where the case ended at
-- triage or before anything was done. The programme's privacy officer sets
-- them: `update retention_periods set keep = interval '...' where result = '...'`.
create table retention_periods (
    result text primary key,
    keep   interval not null check (keep >= interval '0 days'),
    why    text not null
);

insert into retention_periods (result, keep, why) values
    ('goals_achieved',        interval '20 years', 'worked case: the youth-care norm (Jeugdwet art. 7.3.8)'),
    ('goals_partly_achieved', interval '20 years', 'worked case: the youth-care norm (Jeugdwet art. 7.3.8)'),
    ('goals_not_achieved',    interval '20 years', 'worked case: the youth-care norm (Jeugdwet art. 7.3.8)'),
    ('moved',                 interval '20 years', 'worked case: the youth-care norm (Jeugdwet art. 7.3.8)'),
    ('handed_over',           interval '5 years',  'handed over at triage: the partner keeps the file'),
    ('advice_given',          interval '5 years',  'advice only: no case was worked'),
    ('refused',               interval '5 years',  'the young person or family refused: no case was worked'),
    ('referral_withdrawn',    interval '5 years',  'the referral was withdrawn: no case was worked');

-- A partner sees a case only while its basis holds: the caseload view keeps
-- each involvement's basis, and the consents it may rest on.
alter table caseload_partners
    add column basis      text not null default 'involved',
    add column consent_id uuid;

create table caseload_consents (
    case_id      uuid not null,
    consent_id   uuid not null,
    partner      text not null,
    given_on     date not null,
    valid_until  date,
    withdrawn_on date,
    primary key (case_id, consent_id)
);

-- The caseload view gained a table and columns: project it again from the start.
delete from caseload_partners;
delete from caseload_assignments;
delete from caseload;
update projection_checkpoints
   set transaction_id = '0', global_position = 0, events_applied = 0, lag_ms = null,
       error = null, failed_at = null, updated_at = now()
 where view = 'caseload';
