-- The views compare a new contact with a case's latest only (the one they
-- show), found by walking this index backwards, instead of reading every
-- contact of the case for each new one.
create index caseload_contacts_latest on caseload_contacts (case_id, contacted_on, sequence);
create index social_case_contacts_latest on social_case_contacts (case_id, contacted_on, sequence);
create index justice_case_contacts_latest on justice_case_contacts (case_id, contacted_on, sequence);
