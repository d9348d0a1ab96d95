-- The workers Casus knows, learned from their tokens: each authenticated
-- user is recorded on first use and again when their claims change. An
-- assignment names a known worker of the case's municipality, organisation
-- and domain.
create table workers (
    id            text        primary key,
    name          text        not null,
    organisation  text        not null,
    domain        text        not null,
    municipality  text,
    team          text,
    roles         text[]      not null,
    first_seen_at timestamptz not null default now(),
    updated_at    timestamptz not null default now()
);
create index workers_place on workers (municipality, organisation, domain);

-- A team is known by its municipality, organisation, domain and name
-- together: the caseload keeps the holding team's organisation. Referrals
-- stored before it was recorded take it from the referring worker's
-- metadata (as the upcaster does); a handover, from its acceptance.
alter table caseload add column organisation text;

update caseload c
   set organisation = coalesce(
           (select e.payload->'HandoverAccepted'->>'organisation' from events e
             where e.aggregate_type = 'YouthCase' and e.aggregate_id = c.case_id::text
               and e.event_type = 'HandoverAccepted'
             order by e.sequence desc limit 1),
           (select coalesce(e.payload->'CaseReferred'->>'organisation',
                            e.metadata->>'organisation',
                            e.payload->'CaseReferred'->>'referred_by')
              from events e
             where e.aggregate_type = 'YouthCase' and e.aggregate_id = c.case_id::text
               and e.event_type = 'CaseReferred'));

alter table caseload alter column organisation set not null;

-- The case's state gained the holding organisation: snapshots are a cache,
-- taken again as cases grow.
delete from snapshots;
