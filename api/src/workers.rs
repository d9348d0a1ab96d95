//! The workers Casus knows, learned from their tokens: each authenticated
//! user is recorded on first use and again when their claims change. An
//! assignment names a known worker of the case's municipality, organisation
//! and domain; anyone else takes part only as a partner on a basis.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;

use casus_domain::{CaseFile, TeamId, Text, Worker, WorkerId};
use sqlx::PgPool;

use crate::auth::Principal;
use crate::http::error::ApiError;

/// A worker as their last token described them.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct KnownWorker {
    pub id: String,
    pub name: String,
    pub organisation: String,
    pub domain: String,
    pub municipality: Option<String>,
    pub team: Option<String>,
}

pub struct Registry {
    pool: PgPool,
    /// What this process last recorded of each worker, so that a request
    /// writes only when a worker is new or their claims changed.
    recorded: Mutex<HashMap<String, u64>>,
}

const RECORD: &str = "
insert into workers (id, name, organisation, domain, municipality, team, roles)
values ($1, $2, $3, $4, $5, $6, $7)
on conflict (id) do update
   set name = excluded.name, organisation = excluded.organisation, domain = excluded.domain,
       municipality = excluded.municipality, team = excluded.team, roles = excluded.roles,
       updated_at = now()
 where (workers.name, workers.organisation, workers.domain, workers.municipality, workers.team,
        workers.roles)
       is distinct from (excluded.name, excluded.organisation, excluded.domain,
                         excluded.municipality, excluded.team, excluded.roles)";

impl Registry {
    pub fn new(pool: PgPool) -> Self {
        Self {
            pool,
            recorded: Mutex::new(HashMap::new()),
        }
    }

    /// Records `who` as their token describes them, unless already so.
    pub async fn record(&self, who: &Principal) -> Result<(), sqlx::Error> {
        let roles: Vec<&str> = who.roles.iter().map(|r| r.as_str()).collect();
        let fields = (
            who.name.as_str(),
            who.organisation.as_str(),
            who.domain.as_str(),
            who.municipality.as_ref().map(|m| m.as_str()),
            who.team.as_ref().map(|t| t.as_str()),
            &roles,
        );
        let mut hasher = DefaultHasher::new();
        fields.hash(&mut hasher);
        let digest = hasher.finish();
        let id = who.id.as_str();
        if self.lock().get(id) == Some(&digest) {
            return Ok(());
        }
        sqlx::query(RECORD)
            .bind(id)
            .bind(fields.0)
            .bind(fields.1)
            .bind(fields.2)
            .bind(fields.3)
            .bind(fields.4)
            .bind(&roles)
            .execute(&self.pool)
            .await?;
        self.lock().insert(id.to_owned(), digest);
        Ok(())
    }

    /// The worker with this id, if Casus knows them.
    pub async fn find(&self, id: &WorkerId) -> Result<Option<KnownWorker>, sqlx::Error> {
        sqlx::query_as(
            "select id, name, organisation, domain, municipality, team from workers where id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
    }

    /// The workers Casus knows in `municipality`, `organisation` and
    /// `domain`: whom a case held there may be assigned to. By name.
    pub async fn colleagues(
        &self,
        municipality: &str,
        organisation: &str,
        domain: &str,
    ) -> Result<Vec<KnownWorker>, sqlx::Error> {
        sqlx::query_as(
            "select id, name, organisation, domain, municipality, team from workers
              where municipality = $1 and organisation = $2 and domain = $3
              order by name, id",
        )
        .bind(municipality)
        .bind(organisation)
        .bind(domain)
        .fetch_all(&self.pool)
        .await
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, u64>> {
        self.recorded.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The worker `named` as Casus knows them (their name and team from their
/// token), if they may be assigned to the case `file`: a known worker of its
/// municipality, organisation and domain.
pub fn assignable(
    named: &Worker,
    known: Option<&KnownWorker>,
    file: &CaseFile,
) -> Result<Worker, ApiError> {
    let fits = known.filter(|k| {
        k.municipality.as_deref() == Some(file.municipality.as_str())
            && k.organisation == file.organisation.as_str()
            && k.domain == file.domain.as_str()
    });
    let Some(known) = fits else {
        return Err(ApiError::Unprocessable(format!(
            "{} is not known to Casus as a worker of {} in the {} domain of {}: a worker is \
             known once they have signed in, and someone of another organisation or domain \
             takes part as a partner on a basis",
            named.id, file.organisation, file.domain, file.municipality
        )));
    };
    Ok(Worker {
        id: named.id.clone(),
        name: Text::parse(known.name.clone()).unwrap_or_else(|_| named.name.clone()),
        team: known
            .team
            .as_ref()
            .and_then(|t| TeamId::parse(t.clone()).ok())
            .unwrap_or_else(|| named.team.clone()),
    })
}
