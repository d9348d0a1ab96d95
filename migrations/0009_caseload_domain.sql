-- The domain of the team that holds each case, so that team rights need the
-- caller's domain as well as the team's name: a police officer whose team
-- claim is also `zuid-1` is not in the social team `zuid-1`. The caseload
-- view keeps it from the referral; existing rows take it from theirs.
alter table caseload add column domain text;

update caseload c
   set domain = e.payload->'CaseReferred'->>'domain'
  from events e
 where e.aggregate_type = 'YouthCase' and e.aggregate_id = c.case_id::text
   and e.event_type = 'CaseReferred';

alter table caseload alter column domain set not null;
