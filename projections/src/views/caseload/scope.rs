//! Who a case belongs to: its municipality and team, the workers and leads
//! assigned to it, and the partners involved. The API decides from these
//! facts whether a caller may see the case.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct CaseScope {
    pub municipality: String,
    pub team: String,
    /// The holding team's domain and organisation.
    pub domain: String,
    pub organisation: String,
    /// Assigned workers, the case lead and the process lead.
    pub workers: Vec<String>,
    /// Involved partner organisations whose basis holds today.
    pub partners: Vec<String>,
    /// What each of `partners` rests on (a consent, a legal task), in their order.
    pub partner_bases: Vec<String>,
    /// The municipality a proposed handover would move the case to.
    pub handover_to: Option<String>,
    /// The municipalities the case left, and its version when it did.
    pub former: sqlx::types::Json<BTreeMap<String, i64>>,
}

impl CaseScope {
    /// What `partner`'s access rests on, if it may see the case.
    pub fn basis_of(&self, partner: &str) -> Option<&str> {
        let at = self.partners.iter().position(|p| p == partner)?;
        self.partner_bases.get(at).map(String::as_str)
    }
}

/// The condition that the involvement `p` (a `caseload_partners` row) still
/// lets its partner see the case: it rests on no consent, or on one that
/// holds on the day in parameter `today` (given, not expired, not
/// withdrawn). The day is Casus's own, passed in: PostgreSQL's
/// `current_date` follows the server's time zone, and around midnight
/// disagreed with the write side about a withdrawal dated today.
pub(super) fn sharing(today: &str) -> String {
    format!(
        "(p.consent_id is null or exists (
            select from caseload_consents k
             where k.case_id = p.case_id and k.consent_id = p.consent_id and k.partner = p.partner
               and k.given_on <= {today}::date
               and (k.valid_until is null or {today}::date <= k.valid_until)
               and (k.withdrawn_on is null or {today}::date < k.withdrawn_on)))"
    )
}

/// The scope of `case` on `today` as the caseload view has it; `None` if it has no such case.
pub async fn scope(
    pool: &PgPool,
    case: Uuid,
    today: NaiveDate,
) -> Result<Option<CaseScope>, sqlx::Error> {
    let sharing = sharing("$2");
    sqlx::query_as(&format!(
        "select c.municipality, c.team, c.domain, c.organisation,
                array(select a.worker_id from caseload_assignments a where a.case_id = c.case_id
                      union select c.case_lead_id where c.case_lead_id is not null
                      union select c.process_lead_id where c.process_lead_id is not null) as workers,
                array(select p.partner from caseload_partners p
                       where p.case_id = c.case_id and {sharing} order by p.partner) as partners,
                array(select p.basis from caseload_partners p
                       where p.case_id = c.case_id and {sharing} order by p.partner) as partner_bases,
                c.handover_to, c.former
           from caseload c
          where c.case_id = $1"
    ))
    .bind(case)
    .bind(today)
    .fetch_optional(pool)
    .await
}

/// The municipality each of `cases` lies in, as the caseload has it, in
/// their order (`None` for a case it does not know).
pub async fn municipalities(
    pool: &PgPool,
    cases: &[Uuid],
) -> Result<Vec<Option<String>>, sqlx::Error> {
    sqlx::query_scalar(
        "select l.municipality
           from unnest($1::uuid[]) with ordinality as c(case_id, n)
           left join caseload l using (case_id)
          order by c.n",
    )
    .bind(cases)
    .fetch_all(pool)
    .await
}

/// Which cases a caller may list: those of a municipality (all of them, or
/// only those of a team, a worker or a partner organisation).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reach {
    /// `None`: every municipality (a national scope).
    pub municipality: Option<String>,
    /// Every case of the municipality, not only the caller's own.
    pub whole_municipality: bool,
    /// Cases held by this team of `domain`.
    pub team: Option<String>,
    /// The domain and organisation of `team`: a team is known by its
    /// municipality, organisation, domain and name together.
    pub domain: Option<String>,
    pub organisation: Option<String>,
    /// Cases this worker is assigned to or leads.
    pub worker: Option<String>,
    /// Cases this partner organisation is involved with.
    pub partner: Option<String>,
    /// Cases of `domain` whose proposed handover would move them to this
    /// municipality (for its supervisors).
    pub receiving: Option<String>,
}

impl Reach {
    /// Nothing yet but the municipality.
    pub fn for_municipality(municipality: Option<String>) -> Self {
        Self {
            municipality,
            ..Self::default()
        }
    }
}

/// The SQL condition for `Reach` on `caseload c`, with its parameters from `$first` on:
/// municipality, whole municipality, team, domain, organisation, worker,
/// partner, receiving; `today` names the parameter with the day a partner's basis
/// must hold on. It grants what `authorize` grants a reader, relation by
/// relation.
pub(crate) fn reach_condition(first: usize, today: &str) -> String {
    let [m, whole, team, domain, organisation, worker, partner, receiving] =
        std::array::from_fn(|i| format!("${}", first + i));
    let sharing = sharing(today);
    format!(
        "((({m}::text is null or c.municipality = {m})
          and ({whole}::boolean
               or (c.team = {team} and c.domain = {domain} and c.organisation = {organisation})
               or c.case_lead_id = {worker} or c.process_lead_id = {worker}
               or exists (select from caseload_assignments a
                           where a.case_id = c.case_id and a.worker_id = {worker})
               or exists (select from caseload_partners p
                           where p.case_id = c.case_id and p.partner = {partner} and {sharing})))
          or (c.handover_to = {receiving}::text and c.domain = {domain}))"
    )
}
