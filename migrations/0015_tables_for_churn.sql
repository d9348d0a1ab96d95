-- Tables updated often keep room on each page, so that an update whose
-- indexed columns stay the same is a HOT update (no new index entries,
-- cleaned up as pages are read), and autovacuum visits them after a few
-- percent of their rows changed rather than the default 20%. Speed only:
-- Casus is correct whether or not autovacuum runs.

-- A row per case, updated by nearly every event of the case.
alter table caseload set (fillfactor = 80,
    autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
alter table social_case_view set (fillfactor = 80,
    autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
alter table justice_case_view set (fillfactor = 80,
    autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
alter table case_plan set (fillfactor = 80,
    autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
alter table statistics_cases set (fillfactor = 90,
    autovacuum_vacuum_scale_factor = 0.05);

-- Rows a step updates now and then (an achieved goal, a started intervention).
alter table case_goals set (fillfactor = 90, autovacuum_vacuum_scale_factor = 0.05);
alter table case_interventions set (fillfactor = 90, autovacuum_vacuum_scale_factor = 0.05);
alter table case_reviews set (fillfactor = 90, autovacuum_vacuum_scale_factor = 0.05);
alter table caseload_consents set (fillfactor = 90, autovacuum_vacuum_scale_factor = 0.05);

-- A handful of rows, each updated by every batch of its view.
alter table projection_checkpoints set (fillfactor = 50,
    autovacuum_vacuum_threshold = 100, autovacuum_vacuum_scale_factor = 0);
