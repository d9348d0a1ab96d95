-- The access log's codes are Casus's (store/src/audit/access.rs): a row
-- with another action, outcome or sensitivity is refused, whoever writes it.
alter table access_log
    add constraint access_log_action check (action in ('read', 'search', 'export', 'denied')),
    add constraint access_log_outcome check (outcome in ('allowed', 'denied')),
    add constraint access_log_sensitivity check (sensitivity in ('case', 'audit', 'none'));
