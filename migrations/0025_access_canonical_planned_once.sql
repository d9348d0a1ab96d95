-- The canonical form of an access, as 0017 defines it, unchanged in every
-- byte, but in PL/pgSQL: a SQL function that cannot be inlined is planned
-- anew on every call, and that planning was most of the 2 ms each read
-- spent logging itself while it held the access log's chain. PL/pgSQL keeps
-- the plan for the session.
create or replace function casus_access_canonical(
    chain_position bigint, logged_at timestamptz, action access_action, outcome access_outcome,
    user_id text, user_name text, role text, organisation text, domain text, purpose text,
    network_address text, municipality text, view text, sensitivity access_sensitivity,
    basis text, request_id uuid, cases uuid[], municipalities text[], subjects uuid[]
) returns bytea
language plpgsql immutable as $$
begin
    return convert_to(concat_ws(E'\n',
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
                as c(case_id, municipality, subject_id, n))), 'UTF8');
end;
$$;
