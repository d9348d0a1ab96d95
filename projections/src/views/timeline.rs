//! `case_timeline`: one row per event of a case, readable by a person: what
//! happened (the title, which names no personal data), and its content as
//! each domain may see it.

use std::collections::HashMap;

use casus_domain::{
    CaseEvent, Domain, InterventionCancellation, InterventionCompletion, LegalBasis, Personal, Text,
};
use chrono::{DateTime, NaiveDate, Utc};
use futures::future::BoxFuture;
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use casus_store::privacy::ERASED;

use crate::rows::{self, code};
use crate::view::View;
use crate::visibility::{self, Seen};
use casus_store::log::RecordedEvent;

pub struct Timeline;

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

/// "1 goal", "2 goals".
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
            format!("Signal: {} from {}", words(s.kind), s.source_org),
        )
        .detail(s.summary.as_ref().map(personal)),
        // Titles hold no free text: only details are erased with the person.
        TriageDecided(t) => Entry::new(t.decided_on, format!("Triage: {}", t.decision))
            .detail(format!("Decided by {}", personal(&t.decided_by))),
        InformationAdded(i) => {
            let (basis, provision) = match &i.basis {
                LegalBasis::Consent { .. } => ("consent", String::new()),
                LegalBasis::LegalTask { provision } => (
                    "a legal task",
                    format!("\nLegal task: {}", personal(provision)),
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
            "Instrument: {}\n{}",
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
        .detail(p.halt.map(|h| format!("Confession on {}", h.confession_on))),
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
        .map(|g| format!("- {} (by {})", personal(&g.description), g.target_date))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A row of the table, column by column.
#[derive(Clone, Debug, Serialize)]
struct Row {
    case_id: Uuid,
    sequence: i64,
    global_position: i64,
    event_type: &'static str,
    occurred_on: Option<NaiveDate>,
    recorded_at: DateTime<Utc>,
    actor_id: Option<String>,
    actor_name: Option<String>,
    actor_role: Option<&'static str>,
    actor_organisation: Option<String>,
    title: String,
    detail_social: Option<String>,
    detail_justice: Option<String>,
    social: bool,
    justice: bool,
}

impl Timeline {
    async fn apply_batch(
        &self,
        conn: &mut PgConnection,
        events: &[RecordedEvent],
    ) -> Result<(), sqlx::Error> {
        let domains = intervention_domains(conn, events).await?;
        let mut rows: Vec<Row> = Vec::with_capacity(events.len());
        for recorded in events {
            let case_id = recorded.case_id.as_uuid();
            // Mostly the policy in `visibility`; an intervention's outcome belongs
            // to the intervention's domain, and a correction is seen by those who
            // see the entry it corrects.
            let content = match &recorded.event {
                CaseEvent::InterventionCompleted(InterventionCompletion {
                    intervention_id,
                    ..
                })
                | CaseEvent::InterventionCancelled(InterventionCancellation {
                    intervention_id,
                    ..
                }) => domains
                    .get(&(case_id, intervention_id.as_uuid()))
                    .map_or(Seen::NEITHER, |d| Seen::only(*d)),
                CaseEvent::EntryCorrected(correction) => {
                    let sequence = i64::try_from(correction.sequence).unwrap_or(i64::MAX);
                    match rows
                        .iter()
                        .find(|r| r.case_id == case_id && r.sequence == sequence)
                    {
                        Some(row) => Seen {
                            social: row.social,
                            justice: row.justice,
                        },
                        None => stored_visibility(conn, case_id, sequence).await?,
                    }
                }
                event => visibility::content(event),
            };
            let seen = match &recorded.event {
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
            rows.push(Row {
                case_id,
                sequence: recorded.sequence,
                global_position: recorded.position.global_position,
                event_type: recorded.event.name(),
                occurred_on,
                recorded_at: recorded.recorded_at,
                actor_id: actor.map(|a| a.id.to_string()),
                actor_name: actor.map(|a| a.name.clone()),
                actor_role: actor.map(|a| a.role.as_str()),
                actor_organisation: actor.map(|a| a.organisation.to_string()),
                title,
                detail_social: detail_for(content.social),
                detail_justice: detail_for(content.justice),
                social: seen.social,
                justice: seen.justice,
            });
        }
        rows::insert(conn, "case_timeline", &rows).await?;
        // Erasure removes the content of every earlier entry of the case.
        for recorded in events
            .iter()
            .filter(|e| matches!(e.event, CaseEvent::SubjectErased(_)))
        {
            sqlx::query(
                "update case_timeline set detail_social = null, detail_justice = null
                  where case_id = $1 and sequence < $2",
            )
            .bind(recorded.case_id.as_uuid())
            .bind(recorded.sequence)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}

/// Who sees an entry stored before this batch; an entry it cannot find
/// (which the log should not allow), nobody: visibility fails closed.
async fn stored_visibility(
    conn: &mut PgConnection,
    case_id: Uuid,
    sequence: i64,
) -> Result<Seen, sqlx::Error> {
    let seen: Option<(bool, bool)> = sqlx::query_as(
        "select social, justice from case_timeline where case_id = $1 and sequence = $2",
    )
    .bind(case_id)
    .bind(sequence)
    .fetch_optional(conn)
    .await?;
    Ok(seen.map_or(Seen::NEITHER, |(social, justice)| Seen { social, justice }))
}

/// Keeps the domain of each intervention the batch plans, and answers the
/// domain of each intervention whose outcome it records (planned in this
/// batch or before), from the timeline's own record.
async fn intervention_domains(
    conn: &mut PgConnection,
    events: &[RecordedEvent],
) -> Result<HashMap<(Uuid, Uuid), Domain>, sqlx::Error> {
    let mut planned: (Vec<Uuid>, Vec<Uuid>, Vec<String>) = Default::default();
    let mut outcomes: (Vec<Uuid>, Vec<Uuid>) = Default::default();
    for recorded in events {
        let case_id = recorded.case_id.as_uuid();
        match &recorded.event {
            CaseEvent::InterventionPlanned(plan) => {
                planned.0.push(case_id);
                planned.1.push(plan.intervention_id.as_uuid());
                planned.2.push(rows::code(plan.domain));
            }
            CaseEvent::InterventionCompleted(InterventionCompletion {
                intervention_id, ..
            })
            | CaseEvent::InterventionCancelled(InterventionCancellation {
                intervention_id, ..
            }) => {
                outcomes.0.push(case_id);
                outcomes.1.push(intervention_id.as_uuid());
            }
            _ => {}
        }
    }
    if !planned.0.is_empty() {
        sqlx::query(
            "insert into timeline_interventions (case_id, intervention_id, domain)
             select * from unnest($1::uuid[], $2::uuid[], $3::text[])
             on conflict do nothing",
        )
        .bind(&planned.0)
        .bind(&planned.1)
        .bind(&planned.2)
        .execute(&mut *conn)
        .await?;
    }
    if outcomes.0.is_empty() {
        return Ok(HashMap::new());
    }
    let known: Vec<(Uuid, Uuid, String)> = sqlx::query_as(
        "select i.case_id, i.intervention_id, i.domain
           from timeline_interventions i
           join unnest($1::uuid[], $2::uuid[]) as o(case_id, intervention_id)
             using (case_id, intervention_id)",
    )
    .bind(&outcomes.0)
    .bind(&outcomes.1)
    .fetch_all(conn)
    .await?;
    Ok(known
        .into_iter()
        .filter_map(|(case, intervention, domain)| {
            Some(((case, intervention), domain.parse().ok()?))
        })
        .collect())
}

impl View for Timeline {
    fn name(&self) -> &'static str {
        "case_timeline"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["case_timeline", "timeline_interventions"]
    }

    /// 2: an intervention's outcome is shown by the timeline's own record
    /// of its domain.
    fn version(&self) -> i32 {
        2
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut PgConnection,
        events: &'a [RecordedEvent],
    ) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(self.apply_batch(conn, events))
    }
}
