-- The audit trail: a hash chain over each case's events, and the access log.

-- The canonical form of an event, the bytes its hash covers. Stable and
-- documented (README, "Auditing"), so an auditor can recompute it without
-- Casus: lines joined by "\n" of
--   casus-event-v1, aggregate type, aggregate id, sequence, event type,
--   event version, recorded_at in UTC as YYYY-MM-DDTHH:MM:SS.ffffffZ,
--   the payload and the metadata as PostgreSQL prints jsonb
-- (jsonb prints its keys in one fixed order, whatever order they came in).
create function casus_event_canonical(
    aggregate_type text, aggregate_id text, sequence bigint, event_type text,
    event_version text, recorded_at timestamptz, payload jsonb, metadata jsonb
) returns bytea
language sql stable strict as $$
    select convert_to(concat_ws(E'\n',
        'casus-event-v1', aggregate_type, aggregate_id, sequence::text, event_type, event_version,
        to_char(recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        payload::text, metadata::text), 'UTF8')
$$;

alter table events add column prev_hash bytea, add column hash bytea;

-- Every insert is chained here, whoever writes it: hash = sha256(prev_hash ‖
-- canonical event), where prev_hash is the hash of the stream's previous
-- event (32 zero bytes before the first). An insert that skips a sequence is
-- refused. (Row triggers see the rows an INSERT wrote before, so a command's
-- events chain within one statement.)
create function events_chain() returns trigger
language plpgsql as $$
begin
    if new.sequence = 1 then
        new.prev_hash := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    else
        select e.hash into new.prev_hash from events e
         where e.aggregate_type = new.aggregate_type and e.aggregate_id = new.aggregate_id
           and e.sequence = new.sequence - 1;
        if new.prev_hash is null then
            raise exception 'event % of % % follows no stored event', new.sequence,
                  new.aggregate_type, new.aggregate_id
                using errcode = 'foreign_key_violation';
        end if;
    end if;
    new.hash := sha256(new.prev_hash || casus_event_canonical(
        new.aggregate_type, new.aggregate_id, new.sequence, new.event_type, new.event_version,
        new.recorded_at, new.payload, new.metadata));
    return new;
end;
$$;

-- Chain the events stored before this migration, in each stream's order.
alter table events disable trigger events_append_only;
do $$
declare
    e record;
    previous bytea;
    stream text := '';
begin
    for e in select aggregate_type, aggregate_id, sequence, event_type, event_version,
                    recorded_at, payload, metadata
               from events order by aggregate_type, aggregate_id, sequence
    loop
        if e.aggregate_type || '/' || e.aggregate_id <> stream then
            stream := e.aggregate_type || '/' || e.aggregate_id;
            previous := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
        end if;
        update events
           set prev_hash = previous,
               hash = sha256(previous || casus_event_canonical(
                   e.aggregate_type, e.aggregate_id, e.sequence, e.event_type, e.event_version,
                   e.recorded_at, e.payload, e.metadata))
         where aggregate_type = e.aggregate_type and aggregate_id = e.aggregate_id
           and sequence = e.sequence
        returning hash into previous;
    end loop;
end;
$$;
alter table events enable trigger events_append_only;

alter table events alter column prev_hash set not null, alter column hash set not null;

create trigger events_chain
    before insert on events
    for each row execute function events_chain();

-- Who saw what (after NEN 7513 and the Logboek Dataverwerkingen): every read
-- of a case, every search, every export, and every denied attempt.
-- Append-only like the events.
create table access_log (
    id              bigint      generated always as identity primary key,
    entry_id        uuid        not null unique,
    at              timestamptz not null default now(),
    -- read, search, export, denied
    action          text        not null,
    -- allowed or denied
    outcome         text        not null,
    user_id         text        not null,
    user_name       text        not null,
    role            text,
    organisation    text        not null,
    domain          text        not null,
    -- why: the reason an auditor gave, or the work the role does
    purpose         text        not null,
    network_address text,
    -- the object: the case (and its municipality), its young person, which view, how sensitive
    case_id         uuid,
    municipality    text,
    subject_id      uuid,
    view            text        not null,
    sensitivity     text        not null,
    -- on what ground: assignment, team, partner, audit, or why it was denied
    basis           text        not null,
    request_id      uuid        not null
);
create index access_log_case on access_log (case_id, id);
create index access_log_user on access_log (user_id, id);
create index access_log_at on access_log (at);

create function access_log_refuse_change() returns trigger
language plpgsql as $$
begin
    raise exception 'the access log is append-only: % on access_log is refused', tg_op
        using errcode = 'restrict_violation';
end;
$$;

create trigger access_log_append_only
    before update or delete on access_log
    for each statement execute function access_log_refuse_change();

create trigger access_log_no_truncate
    before truncate on access_log
    for each statement execute function access_log_refuse_change();
