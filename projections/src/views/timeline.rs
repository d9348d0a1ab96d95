//! `case_timeline`: one row per event of a case, readable by a person: what
//! happened (the title, which names no personal data), and its content as
//! each domain may see it.

use casus_domain::{CaseEvent, InterventionId, LegalBasis, Personal, Text};
use chrono::NaiveDate;
use futures::future::BoxFuture;
use sqlx::PgConnection;

use crate::event::RecordedEvent;
use crate::view::{code, View};
use crate::visibility::{self, Seen};

pub struct Timeline;

const INSERT: &str = "
insert into case_timeline (case_id, sequence, global_position, event_type, occurred_on, recorded_at,
    actor_id, actor_name, actor_role, actor_organisation, title, detail_social, detail_justice, social, justice)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
on conflict (case_id, sequence) do nothing";

/// What a row says, before visibility is applied.
struct Entry {
    occurred_on: Option<NaiveDate>,
    title: String,
    detail: Option<String>,
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

/// A domain code as words: `police_contact` → "police contact".
fn words<T: serde::Serialize>(value: &T) -> String {
    code(value).replace('_', " ")
}

fn personal(text: &Personal<Text>) -> String {
    text.expose().as_str().to_owned()
}

fn entry(event: &CaseEvent) -> Entry {
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
            "Reason: {}\nGoal: {}",
            personal(&r.reason),
            personal(&r.goal)
        )),
        SignalRecorded(s) => Entry::new(
            s.occurred_on,
            format!("Signal: {} from {}", words(&s.kind), s.source_org),
        )
        .detail(s.summary.as_ref().map(personal)),
        TriageDecided(t) => Entry::new(
            t.decided_on,
            format!(
                "Triage: {} (decided by {})",
                t.decision,
                t.decided_by.as_str()
            ),
        ),
        InformationAdded(i) => {
            let basis = match &i.basis {
                LegalBasis::Consent { .. } => "consent".to_owned(),
                LegalBasis::LegalTask { provision } => provision.as_str().to_owned(),
            };
            Entry::new(
                i.added_on,
                format!("Information from {} on the basis of {basis}", i.partner),
            )
            .detail(personal(&i.summary))
        }
        CaseIncluded(i) => Entry::new(i.included_on, "Case included"),
        LeadAssigned(l) => Entry::new(
            None,
            format!("{}: {}", capitalised(&words(&l.role)), l.lead.name.as_str()),
        ),
        WorkerAssigned(w) => Entry::new(
            None,
            format!("Worker assigned: {} (team {})", w.name.as_str(), w.team),
        ),
        WorkerUnassigned(u) => Entry::new(None, format!("Worker unassigned: {}", u.worker))
            .detail(u.reason.as_ref().map(|r| r.as_str().to_owned())),
        RiskAssessed(r) => Entry::new(
            r.assessed_on,
            format!(
                "Risk assessed as {} ({})",
                words(&r.level),
                r.instrument.as_str()
            ),
        )
        .detail(personal(&r.rationale)),
        PlanAgreed(p) => Entry::new(
            p.agreed_on,
            format!("Plan agreed with {} goals", p.goals.len()),
        )
        .detail(goals(&p.goals)),
        PlanRevised(r) => Entry::new(
            r.plan.agreed_on,
            format!("Plan revised: {} goals", r.plan.goals.len()),
        )
        .detail(format!("{}\n{}", personal(&r.reason), goals(&r.plan.goals))),
        GoalAchieved(g) => Entry::new(g.achieved_on, "Goal achieved"),
        InterventionPlanned(p) => Entry::new(
            p.planned_on,
            format!("Intervention planned: {} by {}", words(&p.kind), p.provider),
        )
        .detail(p.halt.map(|h| format!("Confession on {}", h.confession_on))),
        InterventionStarted(s) => Entry::new(s.started_on, "Intervention started"),
        InterventionCompleted(c) => Entry::new(
            c.completed_on,
            format!("Intervention completed: {}", words(&c.outcome)),
        )
        .detail(c.summary.as_ref().map(personal)),
        InterventionCancelled(c) => {
            Entry::new(c.cancelled_on, "Intervention cancelled").detail(personal(&c.reason))
        }
        ContactLogged(c) => {
            let parties: Vec<String> = c.with_whom.iter().map(words).collect();
            Entry::new(
                c.contacted_on,
                format!("Contact: {} with {}", words(&c.kind), parties.join(", ")),
            )
            .detail(personal(&c.summary))
        }
        NoteAdded(n) => Entry::new(None, format!("Note ({})", words(&n.confidentiality)))
            .detail(personal(&n.text)),
        ConsentRecorded(c) => Entry::new(
            c.given_on,
            format!(
                "Consent for {} given to {} by the {}{}",
                words(&c.purpose),
                c.partner,
                words(&c.given_by),
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
                    Some(LegalBasis::Consent { .. }) => " on consent".to_owned(),
                    Some(LegalBasis::LegalTask { provision }) =>
                        format!(" on {}", provision.as_str()),
                    None => String::new(),
                }
            ),
        ),
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
        CaseEscalated(e) => {
            Entry::new(e.escalated_on, format!("Escalated to the {}", words(&e.to)))
                .detail(personal(&e.reason))
        }
        CaseTransferred(t) => Entry::new(
            t.transferred_on,
            format!(
                "Transferred to team {} in {} ({})",
                t.team, t.focus_area, t.municipality
            ),
        )
        .detail(t.reason.as_str().to_owned()),
        AftercareStarted(a) => Entry::new(a.started_on, "Aftercare started"),
        CaseClosed(c) => Entry::new(c.closed_on, format!("Case closed: {}", words(&c.result)))
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
        .map(|g| format!("- {} (by {})", personal(&g.description), g.target_date))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Timeline {
    /// Who may see an event's content. Mostly the policy in `visibility`; an
    /// intervention's outcome belongs to the intervention's domain, and a
    /// correction is seen by those who see the entry it corrects.
    async fn content_seen(
        &self,
        conn: &mut PgConnection,
        recorded: &RecordedEvent,
    ) -> Result<Seen, sqlx::Error> {
        use CaseEvent::*;
        let intervention = |id: &InterventionId| id.to_string();
        let case_id = recorded.case_id.as_uuid();
        match &recorded.event {
            InterventionCompleted(c) => {
                intervention_domain(conn, recorded, &intervention(&c.intervention_id)).await
            }
            InterventionCancelled(c) => {
                intervention_domain(conn, recorded, &intervention(&c.intervention_id)).await
            }
            EntryCorrected(c) => {
                let seen: Option<(bool, bool)> =
                    sqlx::query_as("select social, justice from case_timeline where case_id = $1 and sequence = $2")
                        .bind(case_id)
                        .bind(i64::try_from(c.sequence).unwrap_or(i64::MAX))
                        .fetch_optional(conn)
                        .await?;
                let (social, justice) = seen.unwrap_or((true, true));
                Ok(Seen { social, justice })
            }
            event => Ok(visibility::content(event)),
        }
    }

    async fn apply_event(
        &self,
        conn: &mut PgConnection,
        recorded: &RecordedEvent,
    ) -> Result<(), sqlx::Error> {
        let case_id = recorded.case_id.as_uuid();
        if let CaseEvent::SubjectErased(_) = recorded.event {
            sqlx::query("update case_timeline set detail_social = null, detail_justice = null where case_id = $1")
                .bind(case_id)
                .execute(&mut *conn)
                .await?;
        }
        let content = self.content_seen(conn, recorded).await?;
        let row = match &recorded.event {
            CaseEvent::EntryCorrected(_) => content,
            event => visibility::entry(event),
        };
        let Entry {
            occurred_on,
            title,
            detail,
        } = entry(&recorded.event);
        let detail_for = |sees: bool| detail.clone().filter(|_| sees);
        let actor = recorded.metadata.as_ref().map(|m| &m.actor);
        sqlx::query(INSERT)
            .bind(case_id)
            .bind(recorded.sequence)
            .bind(recorded.position.global_position)
            .bind(recorded.event.name())
            .bind(occurred_on)
            .bind(recorded.recorded_at)
            .bind(actor.map(|a| a.id.as_str()))
            .bind(actor.map(|a| a.name.as_str()))
            .bind(actor.map(|a| a.role.as_str()))
            .bind(actor.map(|a| a.organisation.as_str()))
            .bind(title)
            .bind(detail_for(content.social))
            .bind(detail_for(content.justice))
            .bind(row.social)
            .bind(row.justice)
            .execute(conn)
            .await?;
        Ok(())
    }
}

/// The domain of an intervention, from the event that planned it (the log
/// never changes, so this reads the same in a rebuild).
async fn intervention_domain(
    conn: &mut PgConnection,
    recorded: &RecordedEvent,
    intervention_id: &str,
) -> Result<Seen, sqlx::Error> {
    let domain: Option<String> = sqlx::query_scalar(
        "select payload->'InterventionPlanned'->>'domain' from events
          where aggregate_type = 'YouthCase' and aggregate_id = $1 and event_type = 'InterventionPlanned'
            and payload->'InterventionPlanned'->>'intervention_id' = $2",
    )
    .bind(recorded.case_id.to_string())
    .bind(intervention_id)
    .fetch_optional(conn)
    .await?
    .flatten();
    Ok(match domain.as_deref().map(str::parse) {
        Some(Ok(domain)) => Seen::only(domain),
        _ => Seen::BOTH,
    })
}

impl View for Timeline {
    fn name(&self) -> &'static str {
        "case_timeline"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["case_timeline"]
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut PgConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(self.apply_event(conn, event))
    }
}
