-- The web interface's sessions, server-side so that any instance serves any
-- request and logout and expiry are real. The cookie carries a random
-- token; only its SHA-256 is stored, so the table alone opens no session.
create table web_sessions (
    token_hash bytea       primary key,
    -- who the session acts as: the claims of a token, as the API reads them
    claims     jsonb       not null,
    -- the form token every state-changing request must send back
    csrf       text        not null,
    created_at timestamptz not null default now(),
    seen_at    timestamptz not null default now(),
    -- the absolute end, whatever the activity
    expires_at timestamptz not null
);
create index web_sessions_expiry on web_sessions (expires_at);
alter table web_sessions set (fillfactor = 70);
