-- What a hostile operator with database rights could change unseen: events
-- appended by plain INSERT (the chain trigger chains them like real ones),
-- snapshots (a cache the aggregate loads from), and the access log.

-- Casus signs every event it appends with its audit key (Ed25519), which the
-- database never holds; `casus verify` checks each signature. Events stored
-- before this migration carry none: they are covered by the chain and by
-- receipts only, and verification counts them apart.
alter table events add column signature bytea;

create table event_signing (
    unsigned_through bigint not null
);
insert into event_signing select coalesce(max(global_position), 0) from events;

-- A snapshot is signed over its state and the hash of the event at its
-- sequence; one whose signature does not hold is ignored (the case is
-- loaded from its events). The state is kept as `json`, the very text that
-- was signed (`jsonb` would print it otherwise), so a load checks it without
-- re-encoding. Snapshots are a cache: those taken before this migration are
-- dropped and taken again as cases grow.
delete from snapshots;
alter table snapshots add column signature bytea not null;
alter table snapshots alter column payload type json;

-- The access log is chained like the events, in one chain: each row's hash
-- is sha256(prev_hash ‖ canonical row), its position the one after the
-- previous row's. The canonical row is lines joined by "\n" of
-- casus-access-v1, the position, and every column below, each written as
-- "<bytes>:<text>", or "-" for a null, so that no text can pass for another.
create function casus_access_field(value text) returns text
language sql immutable as $$
    select coalesce(octet_length(value)::text || ':' || value, '-')
$$;

alter table access_log
    add column chain_position bigint,
    add column prev_hash bytea,
    add column hash bytea;

create function casus_access_canonical(a access_log) returns bytea
language sql stable as $$
    select convert_to(concat_ws(E'\n',
        'casus-access-v1', a.chain_position::text,
        casus_access_field(a.entry_id::text),
        casus_access_field(to_char(a.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')),
        casus_access_field(a.action), casus_access_field(a.outcome),
        casus_access_field(a.user_id), casus_access_field(a.user_name), casus_access_field(a.role),
        casus_access_field(a.organisation), casus_access_field(a.domain),
        casus_access_field(a.purpose), casus_access_field(a.network_address),
        casus_access_field(a.case_id::text), casus_access_field(a.municipality),
        casus_access_field(a.subject_id::text), casus_access_field(a.view),
        casus_access_field(a.sensitivity), casus_access_field(a.basis),
        casus_access_field(a.request_id::text)), 'UTF8')
$$;

-- Chain the rows logged before this migration, in the order they were logged.
alter table access_log disable trigger access_log_append_only;
do $$
declare
    r access_log;
    previous bytea := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    position bigint := 0;
begin
    for r in select * from access_log order by id loop
        position := position + 1;
        r.chain_position := position;
        update access_log
           set chain_position = position, prev_hash = previous,
               hash = sha256(previous || casus_access_canonical(r))
         where id = r.id
        returning hash into previous;
    end loop;
end;
$$;
alter table access_log enable trigger access_log_append_only;

alter table access_log
    alter column chain_position set not null,
    alter column prev_hash set not null,
    alter column hash set not null;
create unique index access_log_chain on access_log (chain_position);

-- One writer at a time extends the chain (a transaction-scoped lock, held
-- for the few statements of a log write), so the chain never forks.
create function access_log_chain() returns trigger
language plpgsql as $$
begin
    perform pg_advisory_xact_lock(hashtext('casus access log chain'));
    select a.chain_position + 1, a.hash into new.chain_position, new.prev_hash
      from access_log a order by a.chain_position desc limit 1;
    if new.chain_position is null then
        new.chain_position := 1;
        new.prev_hash := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    end if;
    new.hash := sha256(new.prev_hash || casus_access_canonical(new));
    return new;
end;
$$;

create trigger access_log_chain
    before insert on access_log
    for each row execute function access_log_chain();
