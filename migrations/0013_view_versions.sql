-- Every view states the version of its projection. When a new release
-- changes what a view keeps, it raises the version, and the projector
-- re-projects that view from the start by itself: no migration resets a
-- checkpoint by hand. Views projected before this carry version 1.
alter table projection_checkpoints add column view_version integer not null default 1;

-- The timeline's own record of each intervention's domain, so that the
-- outcome of an intervention is shown to that domain without reading the
-- raw log (the timeline's version 2 fills it).
create table timeline_interventions (
    case_id         uuid not null,
    intervention_id uuid not null,
    domain          text not null check (domain in ('social', 'justice')),
    primary key (case_id, intervention_id)
);
