-- The municipality each case about a young person lies in, so that a
-- referral in one municipality cannot name a young person of another (a
-- subject id is chosen by the referrer). Kept by the store in the append's
-- transaction: set by the referral, moved by a transfer.
alter table case_subjects add column municipality text;

update case_subjects s
   set municipality = coalesce(
         (select e.payload->'CaseTransferred'->>'municipality'
            from events e
           where e.aggregate_type = 'YouthCase' and e.aggregate_id = s.case_id::text
             and e.event_type = 'CaseTransferred'
           order by e.sequence desc limit 1),
         (select e.payload->'CaseReferred'->>'municipality'
            from events e
           where e.aggregate_type = 'YouthCase' and e.aggregate_id = s.case_id::text
             and e.event_type = 'CaseReferred'));

alter table case_subjects alter column municipality set not null;
