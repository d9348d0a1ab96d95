//! `casus seed --cases N`: realistic programme data, reproducible from a
//! seed. Each case's commands are decided by the domain itself (so every
//! event is one the rules accept) and the events are written in large
//! batches through the same insert, event format and hash chain as real
//! writes. The views catch up when `casus` serves, or with `casus rebuild`.

mod people;
mod script;

use std::time::Instant;

use chrono::NaiveDate;

use casus_domain::{CaseCommand, CaseId, Command, YouthCase};
use casus_store::audit::signature::Signer;
use casus_store::privacy::Keyring;
use casus_store::{EventBatch, Metadata};
use cqrs_es::Aggregate;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::SeedableRng;
use sqlx::PgPool;

/// How many cases one insert statement carries.
const BATCH: usize = 250;

/// Seeds `cases` cases from `seed`; prints how many events and how fast.
pub async fn run(
    pool: &PgPool,
    keyring: &Keyring,
    signer: &Signer,
    cases: usize,
    seed: u64,
    as_of: Option<NaiveDate>,
) -> anyhow::Result<()> {
    let today = casus_store::clock::today();
    let as_of = as_of.unwrap_or(today);
    anyhow::ensure!(as_of <= today, "--as-of {as_of} lies after today ({today})");
    let seeded = write(pool, keyring, signer, cases, seed, as_of).await?;
    println!(
        "seeded {cases} cases as of {as_of}, {} events in {:.1} s ({:.0} events/s); \
         the views catch up when casus serves, or run `casus rebuild`",
        seeded.events,
        seeded.seconds,
        seeded.events as f64 / seconds(seeded.seconds)
    );
    println!("the busiest teams (every seeded worker is known, so a supervisor can assign them):");
    let mut teams: Vec<_> = seeded.teams.iter().collect();
    teams.sort_by_key(|(id, team)| (std::cmp::Reverse(team.open), (*id).clone()));
    for (id, team) in teams.iter().take(3) {
        println!(
            "  team {id} ({} domain, {} in {}): {} open of {}, e.g. worker {}",
            team.domain, team.organisation, team.municipality, team.open, team.cases, team.worker
        );
    }
    if let Some((id, team)) = teams.first() {
        println!(
            "a supervisor of team {id}:\n  casus token --sub demo-supervisor --name \"Teamleider\" \
             --org {} --domain {} --roles supervisor --municipality {} --team {id}",
            team.organisation, team.domain, team.municipality
        );
    }
    Ok(())
}

fn seconds(s: f64) -> f64 {
    s.max(1e-3)
}

/// What a seed wrote.
pub struct Seeded {
    pub events: u64,
    pub seconds: f64,
    /// Each team's cases.
    pub teams: std::collections::BTreeMap<String, TeamLoad>,
}

/// A seeded team and its cases.
pub struct TeamLoad {
    pub municipality: String,
    pub organisation: String,
    pub domain: String,
    pub open: usize,
    pub cases: usize,
    /// One of its workers with a case.
    pub worker: String,
}

/// Writes the cases as of `as_of` with a progress bar.
pub async fn write(
    pool: &PgPool,
    keyring: &Keyring,
    signer: &Signer,
    cases: usize,
    seed: u64,
    as_of: NaiveDate,
) -> anyhow::Result<Seeded> {
    let programme = casus_store::load_programme(pool).await?;
    let places: people::Places =
        sqlx::query_as::<_, (String, String)>("select code, name from municipalities")
            .fetch_all(pool)
            .await?
            .into_iter()
            .filter_map(|(code, name)| {
                let code = casus_domain::MunicipalityCode::parse(code).ok()?;
                Some((code, people::municipality_organisation(&name)))
            })
            .collect();
    let today = as_of;
    let mut teams = std::collections::BTreeMap::new();
    let mut rng = StdRng::seed_from_u64(seed);
    let bar = ProgressBar::new(cases as u64).with_style(
        ProgressStyle::with_template("seed {bar:40} {pos}/{len} cases, {msg} ({rate})")
            .expect("a valid template")
            .with_key("rate", crate::words::rate("cases")),
    );
    let started = Instant::now();
    let mut events = 0_u64;
    let mut pending: Option<tokio::task::JoinHandle<anyhow::Result<()>>> = None;
    let mut done = 0;
    let mut workers = Workers::default();
    while done < cases {
        let mut batch = EventBatch::new(keyring.clone(), signer.clone());
        for _ in 0..BATCH.min(cases - done) {
            let case = CaseId::new();
            let mut state = YouthCase::default();
            for (action, metadata) in script::case(&mut rng, &programme, &places, today) {
                workers.note(&action, &metadata);
                let Ok(decided) = state.decide(Command::new(action, today), &programme) else {
                    continue;
                };
                for event in decided {
                    batch.push(case, state.version() + 1, &event, &metadata)?;
                    state.apply(event);
                    events += 1;
                }
            }
            if let Some(file) = state.file() {
                let team = teams
                    .entry(file.team.to_string())
                    .or_insert_with(|| TeamLoad {
                        municipality: file.municipality.to_string(),
                        organisation: file.organisation.to_string(),
                        domain: file.domain.to_string(),
                        open: 0,
                        cases: 0,
                        worker: String::new(),
                    });
                team.cases += 1;
                if file.stage != casus_domain::Stage::Closed {
                    team.open += 1;
                }
                if let Some(worker) = file
                    .workers
                    .iter()
                    .next()
                    .filter(|_| team.worker.is_empty())
                {
                    team.worker = worker.to_string();
                }
            }
            done += 1;
        }
        // Write one batch while the next is made.
        if let Some(previous) = pending.take() {
            previous.await??;
        }
        let pool = pool.clone();
        pending = Some(tokio::spawn(async move {
            batch.write(&pool).await.map_err(|error| {
                // A seed makes the same young people each time it runs.
                let again = error.as_database_error().is_some_and(|e| {
                    e.is_unique_violation() && e.constraint() == Some("subject_keys_pkey")
                });
                if again {
                    anyhow::anyhow!(
                        "this database holds the young people of seed {seed} already: \
                         seed again with another --seed"
                    )
                } else {
                    anyhow::Error::new(error).context("cannot write seeded events")
                }
            })
        }));
        bar.set_position(done as u64);
        bar.set_message(format!("{events} events"));
    }
    if let Some(last) = pending {
        last.await??;
    }
    workers.write(pool).await?;
    // A million fresh rows without statistics: the projectors' queries on
    // `events` would scan it whole until autovacuum got round to it.
    sqlx::query("analyze events").execute(pool).await?;
    bar.finish_and_clear();
    Ok(Seeded {
        events,
        seconds: started.elapsed().as_secs_f64(),
        teams,
    })
}

/// The seeded workers, as if each had signed in once: so that a supervisor
/// trying Casus on seeded data can assign them.
#[derive(Default)]
struct Workers {
    ids: Vec<String>,
    names: Vec<String>,
    organisations: Vec<String>,
    domains: Vec<String>,
    municipalities: Vec<Option<String>>,
    teams: Vec<String>,
    roles: Vec<String>,
    seen: std::collections::HashSet<String>,
}

impl Workers {
    /// Notes the worker `action` assigns, of the assigning worker's place.
    fn note(&mut self, action: &CaseCommand, metadata: &Metadata) {
        let (worker, role) = match action {
            CaseCommand::AssignWorker(worker) => (worker, "case_worker"),
            CaseCommand::AssignLead(lead) => (&lead.lead, "case_lead"),
            _ => return,
        };
        if !self.seen.insert(worker.id.to_string()) {
            return;
        }
        let actor = &metadata.actor;
        self.ids.push(worker.id.to_string());
        self.names.push(worker.name.as_str().to_owned());
        self.organisations.push(actor.organisation.to_string());
        self.domains.push(actor.domain.to_string());
        self.municipalities
            .push(actor.municipality.as_ref().map(|m| m.to_string()));
        self.teams.push(worker.team.to_string());
        self.roles.push(role.to_owned());
    }

    async fn write(self, pool: &PgPool) -> Result<(), sqlx::Error> {
        sqlx::query(
            "insert into workers (id, name, organisation, domain, municipality, team, roles)
             select id, name, organisation, domain, municipality, team, array[role]
               from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                           $7::text[]) as w(id, name, organisation, domain, municipality, team, role)
             on conflict (id) do nothing",
        )
        .bind(&self.ids)
        .bind(&self.names)
        .bind(&self.organisations)
        .bind(&self.domains)
        .bind(&self.municipalities)
        .bind(&self.teams)
        .bind(&self.roles)
        .execute(pool)
        .await?;
        Ok(())
    }
}
