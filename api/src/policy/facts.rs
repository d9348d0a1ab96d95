//! The facts about a case that access depends on, the same whether they
//! come from the case as the write side loaded it or from the caseload view.

use casus_domain::CaseFile;
use casus_projections::queries::CaseScope;
use chrono::NaiveDate;

/// The facts about a case that access depends on.
pub struct Facts<'a> {
    pub municipality: &'a str,
    pub team: &'a str,
    /// The holding team's domain and organisation: a team is known by its
    /// municipality, organisation, domain and name together.
    pub domain: &'a str,
    pub organisation: &'a str,
    pub workers: Vec<&'a str>,
    pub partners: Vec<&'a str>,
    /// The municipality a proposed handover would move the case to.
    pub handover_to: Option<&'a str>,
    /// The municipalities the case left, and its version when it did.
    pub former: Vec<(&'a str, u64)>,
}

impl<'a> Facts<'a> {
    /// The facts of `file` on `today`: a partner whose basis ended before
    /// it no longer counts.
    pub fn of_file(file: &'a CaseFile, today: NaiveDate) -> Self {
        let leads = [&file.case_lead, &file.process_lead];
        Self {
            municipality: file.municipality.as_str(),
            team: file.team.as_str(),
            domain: file.domain.as_str(),
            organisation: file.organisation.as_str(),
            workers: file
                .workers
                .iter()
                .chain(leads.into_iter().flatten())
                .map(|w| w.as_str())
                .collect(),
            partners: file.sharing_partners(today).map(|p| p.as_str()).collect(),
            handover_to: file.handover_to.as_ref().map(|m| m.as_str()),
            // Writes never rest on a former municipality.
            former: Vec::new(),
        }
    }
}

impl<'a> From<&'a CaseScope> for Facts<'a> {
    fn from(scope: &'a CaseScope) -> Self {
        Self {
            municipality: &scope.municipality,
            team: &scope.team,
            domain: &scope.domain,
            organisation: &scope.organisation,
            workers: scope.workers.iter().map(String::as_str).collect(),
            partners: scope.partners.iter().map(String::as_str).collect(),
            handover_to: scope.handover_to.as_deref(),
            former: scope
                .former
                .iter()
                .map(|(municipality, version)| (municipality.as_str(), *version as u64))
                .collect(),
        }
    }
}
