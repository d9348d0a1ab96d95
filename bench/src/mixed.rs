//! `casus-bench --mixed MINUTES`: hours of work compressed into minutes. 16
//! clients on one busy team: 40% writes (contacts and notes), 60% reads
//! (a case, its timeline, the case list, the team's caseload). Reports the
//! throughput of each minute, p50 and p99 per kind, the database's WAL and
//! checkpoints in each minute, the memory slope, the dead rows each view
//! table holds at the end, and the access log's bytes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use casus_store::audit::signature::Signer;
use casus_store::privacy::Keyring;
use serde_json::json;
use sqlx::PgPool;
use tokio::sync::Mutex;

use crate::figures::{figure, rss_kib};
use crate::http::Served;
use crate::measure::{percentile, Figure};
use crate::wal;

const CLIENTS: usize = 16;
const CASES: usize = 200;

/// What the clients do, in tenths: writes 4, reads 6.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Contact,
    Note,
    Case,
    Timeline,
    List,
    Caseload,
}

impl Kind {
    const ALL: [Kind; 6] = [
        Kind::Contact,
        Kind::Note,
        Kind::Case,
        Kind::Timeline,
        Kind::List,
        Kind::Caseload,
    ];

    fn of(n: usize) -> Self {
        match n % 10 {
            0..=2 => Self::Contact,
            3 => Self::Note,
            4..=5 => Self::Case,
            6 => Self::Timeline,
            7..=8 => Self::List,
            _ => Self::Caseload,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Contact => "log a contact",
            Self::Note => "add a note",
            Self::Case => "read a case",
            Self::Timeline => "read a timeline",
            Self::List => "list the cases",
            Self::Caseload => "the team's caseload",
        }
    }
}

/// One request: what, when (seconds into the run), how long.
type Done = (Kind, f64, f64);

pub async fn mixed(
    pool: &PgPool,
    keyring: &Keyring,
    signer: &Signer,
    minutes: u64,
) -> anyhow::Result<Vec<Figure>> {
    let served = Arc::new(Served::start(pool, keyring, signer).await?);
    let worker = served.token("case_worker");
    let supervisor = served.token("supervisor");
    let cases = Arc::new(served.open_cases(&worker, CASES).await?);
    // The views start empty beside the seeded log: the load begins once
    // they have caught up, or its first reads would wait on the catch-up.
    caught_up(pool).await?;
    let log_before = access_log_bytes(pool).await?;
    let sampler = wal::Sampler::for_server(pool).await?;
    let started = Instant::now();
    let run = Duration::from_secs(minutes * 60);
    let done: Arc<Mutex<Vec<Done>>> = Arc::default();
    let memory = tokio::spawn(async move {
        let mut samples = Vec::new();
        while started.elapsed() < run {
            samples.push((
                started.elapsed().as_secs_f64() / 60.0,
                rss_kib() as f64 / 1024.0,
            ));
            tokio::time::sleep(Duration::from_secs(10)).await;
        }
        samples
    });
    let database = tokio::spawn({
        let pool = pool.clone();
        async move {
            let mut samples = Vec::new();
            for minute in 0..=minutes {
                let at = started + Duration::from_secs(minute * 60);
                tokio::time::sleep_until(at.into()).await;
                samples.push(sampler.sample(&pool).await?);
            }
            anyhow::Ok(samples)
        }
    });
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (served, cases, done) = (served.clone(), cases.clone(), done.clone());
            let (worker, supervisor) = (worker.clone(), supervisor.clone());
            tokio::spawn(async move {
                let mut n = client;
                while started.elapsed() < run {
                    let kind = Kind::of(n);
                    let case = &cases[(n * 7 + client) % cases.len()];
                    let began = Instant::now();
                    if request(&served, kind, case, &worker, &supervisor).await? {
                        let at = started.elapsed().as_secs_f64();
                        let took = began.elapsed().as_secs_f64() * 1000.0;
                        done.lock().await.push((kind, at, took));
                    }
                    n += CLIENTS;
                }
                anyhow::Ok(())
            })
        })
        .collect();
    for client in clients {
        client.await??;
    }
    let memory = memory.await?;
    let database = database.await??;
    let done = std::mem::take(&mut *done.lock().await);
    let mut figures = per_minute(&done, minutes);
    figures.extend(per_kind(&done, minutes));
    figures.push(wal::per_minute(&database));
    figures.push(memory_slope(&memory));
    figures.extend(dead_rows(pool).await?);
    let reads = done.iter().filter(|(kind, ..)| *kind >= Kind::Case).count();
    let (bytes, entries) = access_log_bytes(pool).await?;
    let (added, logged) = (bytes - log_before.0, entries - log_before.1);
    figures.push(figure(
        "access log: bytes per entry; entries and bytes per read",
        format!(
            "{:.0}; {:.1} and {:.0}",
            added as f64 / logged.max(1) as f64,
            logged as f64 / reads.max(1) as f64,
            added as f64 / reads.max(1) as f64
        ),
        "–".into(),
        "–".into(),
        "bytes per entry ≤ 235",
    ));
    caught_up(pool).await?;
    if let Ok(served) = Arc::try_unwrap(served) {
        served.server.stop().await?;
    }
    figures.push(equal_to_a_rebuild(pool, keyring).await?);
    Ok(figures)
}

/// Whether the views kept live under the load equal what a rebuild of the
/// whole log makes, table by table (rows compared by their text).
async fn equal_to_a_rebuild(pool: &PgPool, keyring: &Keyring) -> anyhow::Result<Figure> {
    let views = casus_projections::views::all();
    let tables: Vec<&str> = views
        .iter()
        .flat_map(|view| view.tables())
        .copied()
        .collect();
    let live = digests(pool, &tables).await?;
    let all: Vec<_> = views.iter().map(|view| view.as_ref()).collect();
    casus_projections::rebuild::rebuild(pool, keyring, &all, |_, _| {}).await?;
    let rebuilt = digests(pool, &tables).await?;
    let differing: Vec<&str> = tables
        .iter()
        .zip(live.iter().zip(&rebuilt))
        .filter(|(_, (live, rebuilt))| live != rebuilt)
        .map(|(table, _)| *table)
        .collect();
    Ok(figure(
        format!(
            "mixed load: the {} view tables equal a rebuild afterwards",
            tables.len()
        ),
        if differing.is_empty() {
            "yes".into()
        } else {
            format!("**no**: {}", differing.join(", "))
        },
        "–".into(),
        "–".into(),
        "yes",
    ))
}

/// A digest of each table's rows, in no particular order.
async fn digests(pool: &PgPool, tables: &[&str]) -> anyhow::Result<Vec<Option<String>>> {
    let mut digests = Vec::new();
    for table in tables {
        let sql = format!(
            "select md5(string_agg(row, E'\\n' order by row))
               from (select row_to_json(t)::text as row from {table} t) rows"
        );
        digests.push(sqlx::query_scalar(&sql).fetch_one(pool).await?);
    }
    Ok(digests)
}

async fn request(
    served: &Served,
    kind: Kind,
    case: &str,
    worker: &str,
    supervisor: &str,
) -> anyhow::Result<bool> {
    let base = &served.base;
    let client = &served.client;
    let request = match kind {
        Kind::Contact => client.post(format!("{base}/cases/{case}/contacts")).json(
            &json!({ "kind": "phone", "with_whom": ["youth"], "contacted_on": "2026-11-03",
                           "summary": "talked about school attendance" }),
        ),
        Kind::Note => client
            .post(format!("{base}/cases/{case}/notes"))
            .json(&json!({ "confidentiality": "social", "text": "mother called about the week" })),
        Kind::Case => client.get(format!("{base}/cases/{case}")),
        Kind::Timeline => client.get(format!("{base}/cases/{case}/timeline")),
        Kind::List => client.get(format!("{base}/cases?limit=50")),
        Kind::Caseload => client.get(format!("{base}/caseload")),
    };
    let token = if kind == Kind::Caseload {
        supervisor
    } else {
        worker
    };
    let answer = request.bearer_auth(token).send().await?;
    // Two clients writing one case at the same moment: one is told to
    // reload and try again, as a real client would.
    if answer.status() == reqwest::StatusCode::CONFLICT {
        return Ok(false);
    }
    answer.error_for_status()?;
    Ok(true)
}

/// The requests answered in each minute; the last beside the first.
fn per_minute(done: &[Done], minutes: u64) -> Vec<Figure> {
    let counts: Vec<usize> = (0..minutes)
        .map(|m| {
            let (from, to) = (m as f64 * 60.0, (m + 1) as f64 * 60.0);
            done.iter()
                .filter(|(_, at, _)| *at >= from && *at < to)
                .count()
        })
        .collect();
    let rates: Vec<String> = counts
        .iter()
        .map(|c| format!("{:.0}", *c as f64 / 60.0))
        .collect();
    let (first, last) = (counts.first().copied(), counts.last().copied());
    vec![figure(
        "mixed load: requests/s in each minute",
        rates.join(", "),
        "–".into(),
        match (first, last) {
            (Some(first), Some(last)) if first > 0 => {
                format!("last / first {:.2}", last as f64 / first as f64)
            }
            _ => "–".into(),
        },
        "last ≥ 0.8 × first",
    )]
}

/// Waits until every view has applied the whole log.
async fn caught_up(pool: &PgPool) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let last = casus_store::log::last_position(pool).await?;
        let views = casus_projections::projector::status(pool).await?;
        if views.iter().all(|view| view.global_position >= last) {
            return Ok(());
        }
        if let Some(stopped) = views.iter().find(|view| view.error.is_some()) {
            anyhow::bail!("view {} stopped: {:?}", stopped.view, stopped.error);
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the views did not catch up with the seeded log"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// p50 and p99 of each kind over the whole run, and its p50 in each minute
/// (which kind slows down, if the throughput falls).
fn per_kind(done: &[Done], minutes: u64) -> Vec<Figure> {
    let sorted = |kind: Kind, minute: Option<u64>| {
        let mut took: Vec<f64> = done
            .iter()
            .filter(|(k, at, _)| *k == kind && minute.is_none_or(|m| (*at / 60.0) as u64 == m))
            .map(|(_, _, took)| *took)
            .collect();
        took.sort_by(f64::total_cmp);
        took
    };
    Kind::ALL
        .iter()
        .map(|&kind| {
            let took = sorted(kind, None);
            let by_minute: Vec<String> = (0..minutes)
                .map(|m| format!("{:.0}", percentile(&sorted(kind, Some(m)), 0.5)))
                .collect();
            figure(
                format!(
                    "mixed load: {}, p50 / p99 ms ({} requests); p50 in each minute",
                    kind.name(),
                    took.len()
                ),
                format!(
                    "{:.1} / {:.1}; {}",
                    percentile(&took, 0.5),
                    percentile(&took, 0.99),
                    by_minute.join(", ")
                ),
                "–".into(),
                "–".into(),
                if kind == Kind::List {
                    "p99 < 100 ms"
                } else {
                    ""
                },
            )
        })
        .collect()
}

/// The least-squares slope of the process's memory over the run.
fn memory_slope(samples: &[(f64, f64)]) -> Figure {
    let n = samples.len() as f64;
    let (sx, sy) = samples
        .iter()
        .fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x, sy + y));
    let (mx, my) = (sx / n.max(1.0), sy / n.max(1.0));
    let (num, den) = samples.iter().fold((0.0, 0.0), |(num, den), (x, y)| {
        (num + (x - mx) * (y - my), den + (x - mx) * (x - mx))
    });
    let slope = if den > 0.0 { num / den } else { 0.0 };
    let last = samples.last().map_or(0.0, |(_, y)| *y);
    figure(
        "mixed load: memory of the process, MiB at the end; slope MiB/minute",
        format!("{last:.0}; {slope:+.2}"),
        "–".into(),
        "–".into(),
        "flat",
    )
}

/// Dead rows per live row of each view table at the end of the run (the
/// projector's own checkpoints, six rows updated by every batch, apart).
async fn dead_rows(pool: &PgPool) -> anyhow::Result<Vec<Figure>> {
    // The statistics are flushed at a transaction's end, at most once a second.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let tables: Vec<(String, i64, i64)> = sqlx::query_as(
        "select relname::text, n_live_tup, n_dead_tup from pg_stat_user_tables
          where relname in ('social_case_view', 'justice_case_view', 'case_plan', 'case_goals',
                            'case_interventions', 'case_reviews', 'caseload',
                            'caseload_assignments', 'caseload_partners', 'caseload_consents',
                            'statistics_cases')
            and schemaname = 'public'
          order by relname",
    )
    .fetch_all(pool)
    .await?;
    let ratios: Vec<String> = tables
        .iter()
        .map(|(table, live, dead)| format!("{table} {:.2}", *dead as f64 / (*live).max(1) as f64))
        .collect();
    Ok(vec![figure(
        "mixed load: dead rows per live row, per view table",
        ratios.join(", "),
        "–".into(),
        "–".into(),
        "< 1 each",
    )])
}

/// The access log's size on disk (its monthly partitions with their
/// indexes) and its entries.
async fn access_log_bytes(pool: &PgPool) -> anyhow::Result<(i64, i64)> {
    Ok(sqlx::query_as(
        "select (select coalesce(sum(pg_total_relation_size(inhrelid)), 0)::bigint
                   from pg_inherits
                  where inhparent in ('accesses'::regclass, 'accessed_cases'::regclass)),
                (select count(*) from access_log)",
    )
    .fetch_one(pool)
    .await?)
}
