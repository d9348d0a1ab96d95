-- The access log, compact and bounded. Still one entry per case an access
-- names (NEN 7513, Logboek Dataverwerkingen), but the access (who, why, on
-- what ground, which view) is stored once, in `accesses`, and each case it
-- named is a narrow row of `accessed_cases`. Both are partitioned by month,
-- so that `casus retention` removes a month by dropping its partitions. The
-- view `access_log` shows the entries as before: a row per case named, or
-- one for an access that named none.

alter table access_log rename to access_log_v1;

create type access_action as enum ('read', 'search', 'export', 'denied');
create type access_outcome as enum ('allowed', 'denied');
create type access_sensitivity as enum ('case', 'audit', 'none');

-- An entry's number: an access that names no case is one entry; otherwise
-- each case it names is one.
create sequence access_entries as bigint;

create table accesses (
    id              bigint             not null default nextval('access_entries'),
    at              timestamptz        not null,
    chain_position  bigint             not null,
    request_id      uuid               not null,
    action          access_action      not null,
    outcome         access_outcome     not null,
    sensitivity     access_sensitivity not null,
    hash            bytea              not null,
    user_id         text               not null,
    user_name       text               not null,
    role            text,
    organisation    text               not null,
    domain          text               not null,
    purpose         text               not null,
    network_address text,
    -- the caller's municipality, for an access that names no case
    municipality    text,
    view            text               not null,
    basis           text               not null,
    primary key (id, at)
) partition by range (at);
create index accesses_chain on accesses (chain_position);
create index accesses_user on accesses (user_id, id);
create index accesses_at on accesses (at);

create table accessed_cases (
    at           timestamptz not null,
    access_id    bigint      not null,
    entry        bigint      not null default nextval('access_entries'),
    case_id      uuid        not null,
    subject_id   uuid,
    municipality text
) partition by range (at);
create index accessed_cases_access on accessed_cases (access_id, entry);
create index accessed_cases_case on accessed_cases (case_id, entry);

-- What a retention run removed: the month, and the chain's last position
-- and hash in it, signed with the audit key, so that `casus verify` starts
-- the chain there.
create table access_log_retention (
    id               bigint      generated always as identity primary key,
    at               timestamptz not null default now(),
    month            date        not null unique,
    accesses         bigint      not null,
    entries          bigint      not null,
    through_position bigint      not null,
    through_hash     bytea       not null,
    signature        bytea       not null
);

create or replace function access_log_refuse_change() returns trigger
language plpgsql as $$
begin
    raise exception 'the access log is append-only: % on % is refused', tg_op, tg_table_name
        using errcode = 'restrict_violation';
end;
$$;

-- Row triggers on a partitioned table reach its partitions; TRUNCATE
-- triggers do not, so each partition gets its own.
create function access_log_no_truncate(relation regclass) returns void
language plpgsql as $$
begin
    execute format('create trigger no_truncate before truncate on %s
                    for each statement execute function access_log_refuse_change()', relation);
end;
$$;
create trigger append_only before update or delete on accesses
    for each row execute function access_log_refuse_change();
create trigger append_only before update or delete on accessed_cases
    for each row execute function access_log_refuse_change();
create trigger append_only before update or delete on access_log_retention
    for each row execute function access_log_refuse_change();
select access_log_no_truncate('access_log_retention');

-- The partitions of the month (in UTC) an access is logged in
-- (`accesses_2026_11`, `accessed_cases_2026_11`), made when its first
-- access is logged.
create function casus_access_month(logged_at timestamptz) returns void
language plpgsql as $$
declare
    first timestamp := date_trunc('month', logged_at at time zone 'UTC');
    suffix text := to_char(first, 'YYYY_MM');
    relation text;
begin
    foreach relation in array array['accesses', 'accessed_cases'] loop
        if to_regclass(relation || '_' || suffix) is null then
            execute format('create table %I partition of %I for values from (%L) to (%L)',
                           relation || '_' || suffix, relation, first at time zone 'UTC',
                           (first + interval '1 month') at time zone 'UTC');
            perform access_log_no_truncate((relation || '_' || suffix)::regclass);
        end if;
    end loop;
end;
$$;

-- The canonical form of an access, the bytes its hash covers: lines joined
-- by "\n" of casus-access-v2, the position, each field of the access below
-- as `casus_access_field` writes it ("<bytes>:<text>", or "-" for a
-- null, so that no text can pass for another), then for each case named,
-- in entry order, its case id, municipality and young person likewise. hash = sha256(previous hash ‖
-- canonical access), the previous hash being 32 zero bytes at the start, or
-- the last one a retention run removed.
create function casus_access_canonical(
    chain_position bigint, logged_at timestamptz, action access_action, outcome access_outcome,
    user_id text, user_name text, role text, organisation text, domain text, purpose text,
    network_address text, municipality text, view text, sensitivity access_sensitivity,
    basis text, request_id uuid, cases uuid[], municipalities text[], subjects uuid[]
) returns bytea
language sql immutable as $$
    select convert_to(concat_ws(E'\n',
        'casus-access-v2', chain_position::text,
        casus_access_field(to_char(logged_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')),
        casus_access_field(action::text), casus_access_field(outcome::text),
        casus_access_field(user_id), casus_access_field(user_name), casus_access_field(role),
        casus_access_field(organisation), casus_access_field(domain),
        casus_access_field(purpose), casus_access_field(network_address),
        casus_access_field(municipality), casus_access_field(view),
        casus_access_field(sensitivity::text), casus_access_field(basis),
        casus_access_field(request_id::text),
        (select string_agg(casus_access_field(c.case_id::text) || E'\n'
                           || casus_access_field(c.municipality) || E'\n'
                           || casus_access_field(c.subject_id::text), E'\n' order by c.n)
           from unnest(cases, municipalities, subjects) with ordinality
                as c(case_id, municipality, subject_id, n))), 'UTF8')
$$;

-- Logs one access and the cases it names, chained after the last access.
-- One writer at a time extends the chain (a transaction-scoped lock), and
-- the time is read under that lock, so that positions and times rise
-- together and a month's partition holds one stretch of the chain.
create function casus_log_access(
    action access_action, outcome access_outcome, user_id text, user_name text, role text,
    organisation text, domain text, purpose text, network_address text, municipality text,
    view text, sensitivity access_sensitivity, basis text, request_id uuid,
    cases uuid[], municipalities text[], subjects uuid[]
) returns void
language plpgsql as $$
declare
    logged_at timestamptz;
    previous bytea;
    next bigint;
    logged bigint;
begin
    perform pg_advisory_xact_lock(hashtext('casus access log chain'));
    logged_at := clock_timestamp();
    perform casus_access_month(logged_at);
    select a.chain_position + 1, a.hash into next, previous
      from accesses a order by a.chain_position desc limit 1;
    if next is null then
        select r.through_position + 1, r.through_hash into next, previous
          from access_log_retention r order by r.through_position desc limit 1;
    end if;
    if next is null then
        next := 1;
        previous := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    end if;
    insert into accesses (at, chain_position, request_id, action, outcome, sensitivity, hash, user_id,
                          user_name, role, organisation, domain, purpose, network_address,
                          municipality, view, basis)
    values (logged_at, next, request_id, action, outcome, sensitivity,
            sha256(previous || casus_access_canonical(next, logged_at, action, outcome, user_id,
                user_name, role, organisation, domain, purpose, network_address, municipality,
                view, sensitivity, basis, request_id, cases, municipalities, subjects)),
            user_id, user_name, role, organisation, domain, purpose, network_address,
            municipality, view, basis)
    returning id into logged;
    insert into accessed_cases (at, access_id, case_id, subject_id, municipality)
    select logged_at, logged, c.case_id, c.subject_id, c.municipality
      from unnest(cases, municipalities, subjects) with ordinality
           as c(case_id, municipality, subject_id, n)
     order by c.n;
end;
$$;

-- The entries, as an auditor reads them (the codes as text).
create view access_log as
select coalesce(c.entry, a.id) as id, a.at, a.action::text as action,
       a.outcome::text as outcome, a.user_id, a.user_name, a.role, a.organisation, a.domain,
       a.purpose, a.network_address, c.case_id,
       coalesce(c.municipality, a.municipality) as municipality, c.subject_id, a.view,
       a.sensitivity::text as sensitivity, a.basis, a.request_id, a.id as access_id,
       a.chain_position
  from accesses a
  left join accessed_cases c on c.access_id = a.id and c.at = a.at;

-- The entries logged before, moved over in their order: one access each,
-- chained anew. Their old chain is checked first; a broken one stops the
-- upgrade rather than being chained over (`casus verify` names the link).
do $$
declare
    r access_log_v1;
    previous bytea := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    chained bytea := previous;
    n bigint := 0;
    hash bytea;
begin
    for r in select * from access_log_v1 order by chain_position loop
        n := n + 1;
        if r.chain_position <> n or r.prev_hash <> chained
           or r.hash <> sha256(chained || casus_access_canonical(r)) then
            raise exception 'the access log''s chain is broken at position %: run casus verify '
                            'with the previous version and settle it before upgrading', n;
        end if;
        chained := r.hash;
        perform casus_access_month(r.at);
        hash := sha256(previous || casus_access_canonical(n, r.at,
            r.action::access_action, r.outcome::access_outcome, r.user_id, r.user_name, r.role,
            r.organisation, r.domain, r.purpose, r.network_address,
            case when r.case_id is null then r.municipality end, r.view,
            r.sensitivity::access_sensitivity, r.basis, r.request_id,
            case when r.case_id is null then '{}'::uuid[] else array[r.case_id] end,
            case when r.case_id is null then '{}'::text[] else array[r.municipality] end,
            case when r.case_id is null then '{}'::uuid[] else array[r.subject_id] end));
        insert into accesses (id, at, chain_position, request_id, action, outcome, sensitivity, hash,
                              user_id, user_name, role, organisation, domain, purpose,
                              network_address, municipality, view, basis)
        values (r.id, r.at, n, r.request_id, r.action::access_action,
                r.outcome::access_outcome, r.sensitivity::access_sensitivity, hash, r.user_id,
                r.user_name, r.role, r.organisation, r.domain, r.purpose, r.network_address,
                case when r.case_id is null then r.municipality end, r.view, r.basis);
        if r.case_id is not null then
            insert into accessed_cases (at, access_id, entry, case_id, subject_id, municipality)
            values (r.at, r.id, r.id, r.case_id, r.subject_id, r.municipality);
        end if;
        previous := hash;
    end loop;
    perform setval('access_entries', coalesce((select max(id) from access_log_v1), 0) + 1, false);
end;
$$;
drop function casus_access_canonical(access_log_v1);
drop table access_log_v1;
drop function access_log_chain();
