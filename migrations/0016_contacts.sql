-- Each contact of a case, on the day it took place: a correction of its
-- date (EntryCorrected with `contacted_on`) moves it, and the last contact
-- the views show is the latest by that day. The views' new versions
-- (caseload 2, the case views 2) re-project them to fill these.
create table caseload_contacts (
    case_id      uuid   not null,
    sequence     bigint not null,
    contacted_on date   not null,
    primary key (case_id, sequence)
);

-- The summary only where the domain may read it (the social domain).
create table social_case_contacts (
    case_id      uuid   not null,
    sequence     bigint not null,
    contacted_on date   not null,
    summary      text,
    primary key (case_id, sequence)
);
create table justice_case_contacts (like social_case_contacts including all);
