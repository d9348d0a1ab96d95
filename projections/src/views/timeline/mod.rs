//! `case_timeline`: one row per event of a case, readable by a person: what
//! happened (the title, which names no personal data), and its content as
//! each domain may see it.

use std::collections::HashMap;

pub(crate) mod entry;
pub mod query;

use casus_domain::{CaseEvent, Domain, InterventionCancellation, InterventionCompletion};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::rows;
use crate::view::View;
use crate::visibility::{self, Seen};
use async_trait::async_trait;
use casus_store::log::RecordedEvent;
use entry::{entry, Entry};

pub struct Timeline;

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

#[async_trait]
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

    async fn apply(
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
