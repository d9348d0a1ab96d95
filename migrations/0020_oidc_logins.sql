-- Logins at the identity provider (OpenID Connect) in progress: the hash of
-- the state the browser carries, the PKCE verifier and the nonce, for ten
-- minutes; any instance finishes them. A session keeps the provider's ID
-- token, to end the session there at logout.
create table web_logins (
    state_hash bytea       primary key,
    verifier   text        not null,
    nonce      text        not null,
    expires_at timestamptz not null
);
alter table web_sessions add column id_token text;
