-- A case moves to another municipality by a handover: proposed by the
-- sending side, accepted by a supervisor of the receiving municipality. The
-- caseload view keeps where a proposed handover would go (its supervisors
-- may read the case to decide) and which municipalities the case left, with
-- the version at which it did (their auditors read the history up to
-- there).
alter table caseload
    add column handover_to text,
    add column former jsonb not null default '{}';

-- Before handovers, a transfer could move a case to another municipality:
-- those municipalities are former ones too.
update caseload c
   set former = moves.former
  from (select case_id, jsonb_object_agg(left_from, sequence order by sequence) as former
          from (select aggregate_id::uuid as case_id, sequence,
                       lag(coalesce(payload->'CaseReferred'->>'municipality',
                                    payload->'CaseTransferred'->>'municipality'))
                           over (partition by aggregate_id order by sequence) as left_from,
                       coalesce(payload->'CaseReferred'->>'municipality',
                                payload->'CaseTransferred'->>'municipality') as moved_to
                  from events
                 where aggregate_type = 'YouthCase'
                   and event_type in ('CaseReferred', 'CaseTransferred')) m
         where left_from <> moved_to
         group by case_id) moves
 where c.case_id = moves.case_id;
