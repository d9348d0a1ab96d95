-- A case's next review and next target date (the lists' and the caseload's
-- `min(...)` per case) are one probe of these indexes. The indexes they
-- replace led with the date: without fresh statistics (autovacuum off, or
-- right after a view caught up) the planner combined them with the primary
-- key and read every open review of every case once per listed case.
drop index case_reviews_open_due;
drop index case_goals_open_target;
create index case_reviews_open on case_reviews (case_id, due_on) where completed_on is null;
create index case_goals_open on case_goals (case_id, target_date) where achieved_on is null;
