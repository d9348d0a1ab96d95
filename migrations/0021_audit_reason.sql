-- An auditor or privacy officer states why they read at the start of an
-- audit session in the web interface; the reason is kept with the session
-- and written to the access log with every read, as `X-Audit-Reason` is
-- for the API.
alter table web_sessions add column audit_reason text;

-- A case summary printed for a case conference is logged as a print: the
-- paper leaves Casus's control, which an auditor must be able to see.
alter type access_action add value if not exists 'print';
