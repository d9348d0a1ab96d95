-- The statistics view: what analysts count, per municipality, focus area and
-- month. Never a name; the case id only ties a case's facts together.

-- Where each case is now (a transfer moves it) and when it was referred.
create table statistics_cases (
    case_id      uuid primary key,
    municipality text not null,
    focus_area   text not null,
    referred_on  date not null
);

-- One row per counted fact: a referral, an inclusion, a closure (category:
-- the result), a signal (its kind) or a planned intervention (its kind), in
-- the municipality and focus area where it happened.
create table statistics_facts (
    case_id      uuid   not null,
    sequence     bigint not null,
    measure      text   not null,
    category     text,
    municipality text   not null,
    focus_area   text   not null,
    on_date      date   not null,
    primary key (case_id, sequence)
);
create index statistics_facts_month on statistics_facts (municipality, on_date);
