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
select aggregate_id::uuid, (payload->>'subject')::uuid
  from events
 where aggregate_type = 'YouthCase' and event_type = 'CaseReferred'
on conflict do nothing;
