-- Logs a group of accesses in one statement, in their order: the access
-- log's writer (api/src/http/access_log.rs) holds the chain while it logs a
-- group, and a round trip per access kept every waiting read waiting longer.
-- Element i of each array below is access i's; access i names
-- case_counts[i] cases, which follow those of the accesses before it in
-- `cases` and `municipalities`. Each access is logged by casus_log_access,
-- as one logged alone is.
create function casus_log_accesses(
    actions access_action[], outcomes access_outcome[], user_ids text[], user_names text[],
    roles text[], organisations text[], domains text[], purposes text[],
    network_addresses text[], own_municipalities text[], views text[],
    sensitivities access_sensitivity[], bases text[], request_ids uuid[],
    case_counts int[], cases uuid[], municipalities text[]
) returns void
language plpgsql as $$
declare
    subjects uuid[] := array(select (select s.subject_id from case_subjects s where s.case_id = c.id)
                               from unnest(cases) with ordinality as c(id, n)
                              order by c.n);
    named bigint := (select coalesce(sum(n), 0) from unnest(case_counts) n);
    first int := 1;
    last int;
begin
    if named <> cardinality(cases) or named <> cardinality(municipalities) then
        raise exception 'the accesses name % cases, but % are given', named, cardinality(cases);
    end if;
    for i in 1 .. coalesce(cardinality(actions), 0) loop
        last := first + case_counts[i] - 1;
        perform casus_log_access(actions[i], outcomes[i], user_ids[i], user_names[i], roles[i],
            organisations[i], domains[i], purposes[i], network_addresses[i],
            own_municipalities[i], views[i], sensitivities[i], bases[i], request_ids[i],
            cases[first:last], municipalities[first:last], subjects[first:last]);
        first := last + 1;
    end loop;
end;
$$;
