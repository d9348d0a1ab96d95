//! What a timeline row says of an event: the title (which names no
//! personal data) and the detail, before visibility is applied.

use casus_domain::{CaseEvent, LegalBasis, Personal, Text};
use casus_store::privacy::ERASED;
use chrono::NaiveDate;

use crate::rows::code;

/// What a row says, before visibility is applied.
pub(super) struct Entry {
    pub occurred_on: Option<NaiveDate>,
    pub title: String,
    pub detail: Option<String>,
}

impl Entry {
    fn new(occurred_on: impl Into<Option<NaiveDate>>, title: impl Into<String>) -> Self {
        Self {
            occurred_on: occurred_on.into(),
            title: title.into(),
            detail: None,
        }
    }

    fn detail(mut self, detail: impl Into<Option<String>>) -> Self {
        self.detail = detail.into();
        self
    }
}

/// "1 goal", "2 goals".
/// The words a detail's lines start with (or a goal's line holds), for a
/// reader in another language to translate: the web interface does
/// (`labels::detail`).
pub mod label {
    pub const REASON: &str = "Reason: ";
    pub const GOAL: &str = "Goal: ";
    pub const DECIDED_BY: &str = "Decided by ";
    pub const LEGAL_TASK: &str = "Legal task: ";
    pub const INSTRUMENT: &str = "Instrument: ";
    pub const CONFESSION_ON: &str = "Confession on ";
    /// A goal of a plan: `- <goal> (by <target date>)`.
    pub const GOAL_ITEM: &str = "- ";
    pub const TARGET: &str = " (by ";
}

fn goal_count(n: usize) -> String {
    format!("{n} {}", if n == 1 { "goal" } else { "goals" })
}

/// A domain code as words: `police_contact` → "police contact".
fn words(value: impl Into<&'static str>) -> String {
    code(value).replace('_', " ")
}

/// A personal text; one whose key was destroyed shows as erased (and
/// erasure clears the case's earlier details anyway).
fn personal(text: &Personal<Text>) -> String {
    text.expose().map_or(ERASED, Text::as_str).to_owned()
}

pub(super) fn entry(event: &CaseEvent) -> Entry {
    use CaseEvent::*;
    match event {
        CaseReferred(r) => Entry::new(
            r.referred_on,
            format!(
                "Referred by {} to team {} in {}",
                r.referred_by, r.team, r.focus_area
            ),
        )
        .detail(format!(
            "{}{}\n{}{}",
            label::REASON,
            personal(&r.reason),
            label::GOAL,
            personal(&r.goal)
        )),
        SignalRecorded(s) => Entry::new(
            s.occurred_on,
            format!("Signal: {} from {}", words(s.kind), s.source_org),
        )
        .detail(s.summary.as_ref().map(personal)),
        // Titles hold no free text: only details are erased with the person.
        TriageDecided(t) => Entry::new(t.decided_on, format!("Triage: {}", t.decision))
            .detail(format!("{}{}", label::DECIDED_BY, personal(&t.decided_by))),
        InformationAdded(i) => {
            let (basis, provision) = match &i.basis {
                LegalBasis::Consent { .. } => ("consent", String::new()),
                LegalBasis::LegalTask { provision } => (
                    "a legal task",
                    format!("\n{}{}", label::LEGAL_TASK, personal(provision)),
                ),
            };
            Entry::new(
                i.added_on,
                format!("Information from {} on the basis of {basis}", i.partner),
            )
            .detail(format!("{}{provision}", personal(&i.summary)))
        }
        CaseIncluded(i) => Entry::new(i.included_on, "Case included"),
        LeadAssigned(l) => Entry::new(
            None,
            format!("{}: {}", capitalised(&words(l.role)), l.lead.name.as_str()),
        ),
        WorkerAssigned(w) => Entry::new(
            None,
            format!("Worker assigned: {} (team {})", w.name.as_str(), w.team),
        ),
        WorkerUnassigned(u) => Entry::new(None, format!("Worker unassigned: {}", u.worker))
            .detail(u.reason.as_ref().map(personal)),
        RiskAssessed(r) => Entry::new(
            r.assessed_on,
            format!("Risk assessed as {}", words(r.level)),
        )
        .detail(format!(
            "{}{}\n{}",
            label::INSTRUMENT,
            personal(&r.instrument),
            personal(&r.rationale)
        )),
        PlanAgreed(p) => Entry::new(
            p.agreed_on,
            format!("Plan agreed with {}", goal_count(p.goals.len())),
        )
        .detail(goals(&p.goals)),
        PlanRevised(r) => Entry::new(
            r.plan.agreed_on,
            format!("Plan revised: {}", goal_count(r.plan.goals.len())),
        )
        .detail(format!("{}\n{}", personal(&r.reason), goals(&r.plan.goals))),
        GoalAchieved(g) => Entry::new(g.achieved_on, "Goal achieved"),
        InterventionPlanned(p) => Entry::new(
            p.planned_on,
            format!("Intervention planned: {} by {}", words(p.kind), p.provider),
        )
        .detail(
            p.halt
                .map(|h| format!("{}{}", label::CONFESSION_ON, h.confession_on)),
        ),
        InterventionStarted(s) => Entry::new(s.started_on, "Intervention started"),
        InterventionCompleted(c) => Entry::new(
            c.completed_on,
            format!("Intervention completed: {}", words(c.outcome)),
        )
        .detail(c.summary.as_ref().map(personal)),
        InterventionCancelled(c) => {
            Entry::new(c.cancelled_on, "Intervention cancelled").detail(personal(&c.reason))
        }
        ContactLogged(c) => {
            let parties: Vec<String> = c.with_whom.iter().map(words).collect();
            Entry::new(
                c.contacted_on,
                format!("Contact: {} with {}", words(c.kind), parties.join(", ")),
            )
            .detail(personal(&c.summary))
        }
        NoteAdded(n) => Entry::new(None, format!("Note ({})", words(n.confidentiality)))
            .detail(personal(&n.text)),
        ConsentRecorded(c) => Entry::new(
            c.given_on,
            format!(
                "Consent for {} given to {} by the {}{}",
                words(c.purpose),
                c.partner,
                words(c.given_by),
                c.valid_until
                    .map(|d| format!(", valid until {d}"))
                    .unwrap_or_default()
            ),
        ),
        ConsentWithdrawn(w) => Entry::new(w.withdrawn_on, "Consent withdrawn"),
        PartnerInvolved(p) => Entry::new(
            p.involved_on,
            format!(
                "Partner involved: {} ({} domain){}",
                p.partner,
                p.partner_domain,
                match &p.basis {
                    Some(LegalBasis::Consent { .. }) => " on consent",
                    Some(LegalBasis::LegalTask { .. }) => " on a legal task",
                    None => "",
                }
            ),
        )
        .detail(match &p.basis {
            Some(LegalBasis::LegalTask { provision }) => Some(personal(provision)),
            _ => None,
        }),
        CaseConferenceHeld(c) => {
            let partners: Vec<&str> = c.partners_present.iter().map(|p| p.as_str()).collect();
            Entry::new(
                c.held_on,
                format!("Case conference with {}", partners.join(", ")),
            )
            .detail(personal(&c.agreements))
        }
        ReviewScheduled(r) => Entry::new(None, format!("Review scheduled for {}", r.due_on)),
        ReviewCompleted(r) => {
            Entry::new(r.completed_on, "Review held").detail(personal(&r.summary))
        }
        CaseEscalated(e) => Entry::new(e.escalated_on, format!("Escalated to the {}", words(e.to)))
            .detail(personal(&e.reason)),
        CaseTransferred(t) => Entry::new(
            t.transferred_on,
            format!(
                "Transferred to team {} in {} ({})",
                t.team, t.focus_area, t.municipality
            ),
        )
        .detail(personal(&t.reason)),
        HandoverProposed(p) => Entry::new(
            p.proposed_on,
            format!("Handover to {} proposed", p.municipality),
        )
        .detail(personal(&p.reason)),
        HandoverAccepted(h) => Entry::new(
            h.accepted_on,
            format!(
                "Handed over to team {} in {} ({})",
                h.team, h.focus_area, h.municipality
            ),
        ),
        HandoverDeclined(d) => {
            Entry::new(d.declined_on, "Handover declined").detail(personal(&d.reason))
        }
        AftercareStarted(a) => Entry::new(a.started_on, "Aftercare started"),
        CaseClosed(c) => Entry::new(c.closed_on, format!("Case closed: {}", words(c.result)))
            .detail(c.summary.as_ref().map(personal)),
        CaseReopened(r) => Entry::new(r.reopened_on, "Case reopened").detail(personal(&r.reason)),
        EntryCorrected(c) => Entry::new(None, format!("Correction of entry {}", c.sequence))
            .detail(personal(&c.correction)),
        SubjectErased(e) => Entry::new(e.erased_on, "The young person's personal data was erased")
            .detail(e.reason.as_str().to_owned()),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn goals(goals: &[casus_domain::Goal]) -> String {
    goals
        .iter()
        .map(|g| {
            let goal = personal(&g.description);
            format!(
                "{}{goal}{}{})",
                label::GOAL_ITEM,
                label::TARGET,
                g.target_date
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
