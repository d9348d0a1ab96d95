//! Casus's side of the bench: commands through HTTP, projection lag,
//! rebuild, case load times, queries and memory, each beside its baseline.

use std::sync::Arc;
use std::time::{Duration, Instant};

use casus_domain::{
    CaseCommand, CaseId, Command, Confidentiality, Note, Personal, Text, YouthCase,
};
use casus_projections::queries::{self, CaseListFilter, CaseloadFilter, Reach};
use casus_store::audit::signature::Signer;
use casus_store::privacy::Keyring;
use casus_store::{Actor, CaseStore, Metadata};
use cqrs_es::Aggregate;
use sqlx::PgPool;

use crate::baseline;
use crate::measure::{percentile, Figure};
use casus::seed;

pub(crate) fn ratio(casus: f64, baseline: f64) -> String {
    if baseline > 0.0 {
        format!("{:.2}", casus / baseline)
    } else {
        "–".into()
    }
}

pub(crate) fn figure(
    what: impl Into<String>,
    casus: String,
    baseline: String,
    ratio: String,
    target: &'static str,
) -> Figure {
    Figure {
        what: what.into(),
        casus,
        baseline,
        ratio,
        target,
    }
}

pub async fn measure(
    pool: &PgPool,
    keyring: &Keyring,
    signer: &Signer,
    cases: usize,
    run: Duration,
    nats_url: Option<String>,
) -> anyhow::Result<Vec<Figure>> {
    let mut figures = Vec::new();
    let seeded = seed::write(pool, keyring, signer, cases, 1, casus_store::clock::today()).await?;
    let (events, seconds) = (seeded.events, seeded.seconds);
    figures.push(figure(
        format!("seed {cases} cases ({events} events), events/s"),
        format!("{:.0}", events as f64 / seconds),
        "–".into(),
        "–".into(),
        "1 M events well under a minute",
    ));

    // PostgreSQL's own limits.
    baseline::prepare(pool).await?;
    let insert_1 = baseline::inserts(pool, 1, run).await?;
    let insert_16 = baseline::inserts(pool, 16, run).await?;
    let append_1 = baseline::read_then_append(pool, 1, run).await?;
    let append_16 = baseline::read_then_append(pool, 16, run).await?;
    let ordered = baseline::ordered_read(pool).await?;
    for (what, rate) in [
        ("baseline (a) one-event INSERT, 1 client, tx/s", insert_1),
        ("baseline (a) one-event INSERT, 16 clients, tx/s", insert_16),
        ("baseline (b) read 20 + append 1, 1 client, tx/s", append_1),
        (
            "baseline (b) read 20 + append 1, 16 clients, tx/s",
            append_16,
        ),
    ] {
        figures.push(figure(
            what,
            "–".into(),
            format!("{:.0}", rate.per_second),
            "–".into(),
            "",
        ));
    }

    // Rebuild every view in one pass over the log, watching memory.
    let peak = Arc::new(std::sync::atomic::AtomicU64::new(rss_kib()));
    let watching = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                peak.fetch_max(rss_kib(), std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let started = Instant::now();
    let views = casus_projections::views::all();
    let all: Vec<_> = views.iter().map(|view| view.as_ref()).collect();
    casus_projections::rebuild::rebuild(pool, keyring, &all, |_, _| {}).await?;
    let rebuild_rate = events as f64 / started.elapsed().as_secs_f64();
    watching.abort();
    let peak_mib = peak.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1024.0;
    figures.push(figure(
        format!(
            "rebuild of all {} views in one pass, events of the log/s",
            views.len()
        ),
        format!("{rebuild_rate:.0}"),
        format!("{ordered:.0} (c) ordered read"),
        ratio(rebuild_rate, ordered),
        "≥ 0.3",
    ));
    figures.push(figure(
        "peak RSS of the process during the rebuild, MiB",
        format!("{peak_mib:.0}"),
        "–".into(),
        "–".into(),
        "< 300 MiB",
    ));

    figures.extend(queries_p99(pool).await?);
    figures.extend(load_times(pool, keyring, signer).await?);
    let (commands, at_1, at_16) =
        crate::http::http(pool, keyring, signer, run, append_1, append_16).await?;
    figures.extend(commands);
    let programme = casus_store::load_programme(pool).await?;
    let referral = {
        let programme = programme.clone();
        move || bench_referral(&programme)
    };
    let (peer_1, peer_16) = crate::peer::measure(pool, programme, referral, run).await?;
    for (clients, peer, casus) in [(1, peer_1, at_1), (16, peer_16, at_16)] {
        figures.push(figure(
            format!("cqrs-es + postgres-es as documented (no HTTP), contacts/s, {clients} clients (p50 / p99 ms)"),
            format!("{:.0} (Casus through HTTP)", casus.per_second),
            format!("{:.0} ({:.1} / {:.1}) peer", peer.per_second, peer.p50_ms, peer.p99_ms),
            ratio(casus.per_second, peer.per_second),
            if clients == 16 { "≥ 1.5" } else { "" },
        ));
    }
    figures.extend(crate::web::pages(pool, keyring, signer).await?);
    figures.extend(
        crate::notify::measure(pool, keyring, signer, run, at_16, ordered, nats_url).await?,
    );
    Ok(figures)
}

/// The resident set size of this process, in KiB.
pub(crate) fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// p99 of the caseload and case-list queries for the busiest team.
async fn queries_p99(pool: &PgPool) -> anyhow::Result<Vec<Figure>> {
    let (municipality, team, domain, organisation): (String, String, String, String) =
        sqlx::query_as(
            "select municipality, team, domain, organisation from caseload
              group by 1, 2, 3, 4 order by count(*) desc limit 1",
        )
        .fetch_one(pool)
        .await?;
    let today = casus_store::clock::today();
    let filter = CaseloadFilter {
        municipality: municipality.clone(),
        team: Some(team.clone()),
        domain: Some(domain.clone()),
        organisation: Some(organisation.clone()),
        worker: None,
    };
    let reach = Reach {
        municipality: Some(municipality),
        team: Some(team),
        domain: Some(domain),
        organisation: Some(organisation),
        worker: Some("nobody".into()),
        ..Reach::default()
    };
    let list = CaseListFilter {
        limit: 51,
        ..CaseListFilter::default()
    };
    let mut caseload = Vec::new();
    let mut listing = Vec::new();
    for _ in 0..100 {
        let began = Instant::now();
        queries::caseload(pool, &filter, today).await?;
        queries::workload(pool, &filter, today).await?;
        caseload.push(began.elapsed().as_secs_f64() * 1000.0);
        let began = Instant::now();
        queries::list(pool, casus_domain::Domain::Social, &reach, &list, today).await?;
        listing.push(began.elapsed().as_secs_f64() * 1000.0);
    }
    caseload.sort_by(f64::total_cmp);
    listing.sort_by(f64::total_cmp);
    Ok(vec![
        figure(
            "caseload of the busiest team (cases and workers), p99 ms",
            format!("{:.1}", percentile(&caseload, 0.99)),
            "–".into(),
            "–".into(),
            "< 20 ms",
        ),
        figure(
            "case list, first page of 50, p99 ms",
            format!("{:.1}", percentile(&listing, 0.99)),
            "–".into(),
            "–".into(),
            "< 20 ms",
        ),
    ])
}

fn bench_metadata() -> Metadata {
    Metadata::new(
        Actor {
            id: casus_domain::WorkerId::parse("bench").expect("an id"),
            name: "Bench".into(),
            role: casus_domain::Role::CaseWorker,
            organisation: casus_domain::OrganisationId::parse("bench").expect("an id"),
            domain: casus_domain::Domain::Social,
            municipality: None,
        },
        uuid::Uuid::now_v7(),
    )
}

/// Load time of a case with 10 to 10,000 events, with and without snapshots.
async fn load_times(
    pool: &PgPool,
    keyring: &Keyring,
    signer: &Signer,
) -> anyhow::Result<Vec<Figure>> {
    let programme = casus_store::load_programme(pool).await?;
    let plain = CaseStore::new(
        pool.clone(),
        keyring.clone(),
        signer.clone(),
        programme.clone(),
        0,
    );
    let snapshots = CaseStore::new(
        pool.clone(),
        keyring.clone(),
        signer.clone(),
        programme.clone(),
        50,
    );
    let metadata = bench_metadata();
    let mut figures = Vec::new();
    let mut base = None;
    let today = casus_store::clock::today();
    for size in [10_u64, 100, 1_000, 10_000] {
        let case = CaseId::new();
        let mut batch = casus_store::EventBatch::new(keyring.clone(), signer.clone());
        let mut state = YouthCase::default();
        let referral = CaseCommand::ReferCase(bench_referral(&programme));
        let note = CaseCommand::AddNote(Note {
            confidentiality: Confidentiality::Shared,
            text: Personal::new(Text::parse("a note for the bench").expect("a text")),
        });
        for command in
            std::iter::once(referral).chain(std::iter::repeat_n(note.clone(), size as usize - 2))
        {
            for event in state.decide(Command::new(command, today), &programme)? {
                batch.push(case, state.version() + 1, &event, &metadata)?;
                state.apply(event);
            }
        }
        batch.write(pool).await?;
        // The last event through the snapshot store, which snapshots the case.
        snapshots
            .execute(case, Command::new(note, today), &metadata)
            .await?;
        let mut without = Vec::new();
        let mut with = Vec::new();
        for _ in 0..if size >= 10_000 { 5 } else { 20 } {
            let began = Instant::now();
            plain.load(case).await?;
            without.push(began.elapsed().as_secs_f64() * 1000.0);
            let began = Instant::now();
            snapshots.load(case).await?;
            with.push(began.elapsed().as_secs_f64() * 1000.0);
        }
        without.sort_by(f64::total_cmp);
        with.sort_by(f64::total_cmp);
        let (without, with) = (percentile(&without, 0.5), percentile(&with, 0.5));
        let base_with = *base.get_or_insert(with);
        figures.push(figure(
            format!("load a case of {size} events, median ms: without snapshots / with"),
            format!("{without:.2} / {with:.2}"),
            format!("{base_with:.2} (10 events, with)"),
            ratio(with, base_with),
            if size == 10_000 {
                "≤ 2 × the 10-event case"
            } else {
                ""
            },
        ));
    }
    Ok(figures)
}

fn bench_referral(programme: &casus_domain::Programme) -> casus_domain::Referral {
    let area = programme
        .areas()
        .next()
        .expect("the programme has areas")
        .clone();
    casus_domain::Referral {
        subject: casus_domain::SubjectId::new(),
        details: Personal::new(casus_domain::SubjectDetails {
            name: Text::parse("Bench Case").expect("a text"),
            date_of_birth: chrono::NaiveDate::from_ymd_opt(2010, 1, 1).expect("a date"),
            address: None,
            bsn: None,
        }),
        municipality: area.municipality,
        focus_area: area.code,
        team: casus_domain::TeamId::parse("bench").expect("an id"),
        domain: casus_domain::Domain::Social,
        organisation: casus_domain::OrganisationId::parse("bench").expect("an id"),
        referred_by: casus_domain::OrganisationId::parse("bench").expect("an id"),
        reason: Personal::new(Text::parse("bench").expect("a text")),
        goal: Personal::new(Text::parse("bench").expect("a text")),
        referred_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).expect("a date"),
    }
}
