-- A keyed blind index of the young people (see store/src/privacy/index.rs
-- and docs/privacy.md): an HMAC of the normalised name and date of birth,
-- and of the BSN when given, per young person. No value in clear. Casus
-- fills it for the young people already on record when it starts.
create table subject_index (
    digest     bytea not null,
    subject_id uuid  not null,
    primary key (digest, subject_id)
);
create index subject_index_subject on subject_index (subject_id);
