//! `statistics`: the facts programme figures are counted from (referrals,
//! inclusions, closures with their result, signals and interventions by
//! kind), each where and when it happened. Nothing personal.

pub mod query;
mod suppression;

use std::collections::HashMap;

use casus_domain::CaseEvent;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::rows::{self, code};
use crate::view::View;
use async_trait::async_trait;
use casus_store::log::RecordedEvent;

pub struct Statistics;

/// What a fact counts. The first three are counted per focus area too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub(crate) enum Measure {
    Referred,
    Included,
    Closed,
    Signal,
    Intervention,
}

impl Measure {
    pub(crate) const COUNT: usize = 5;
    pub(crate) const PER_AREA: usize = 3;

    /// The breakdown by category this measure has, if any.
    pub(crate) fn breakdown(self) -> Option<&'static str> {
        match self {
            Self::Signal => Some("signal"),
            Self::Intervention => Some("intervention"),
            Self::Closed => Some("result"),
            Self::Referred | Self::Included => None,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Case {
    case_id: Uuid,
    municipality: String,
    focus_area: String,
    referred_on: NaiveDate,
}

impl rows::CaseRow for Case {
    fn case_id(&self) -> Uuid {
        self.case_id
    }
}

#[derive(Clone, Debug, Serialize)]
struct Fact {
    case_id: Uuid,
    sequence: i64,
    measure: Measure,
    category: Option<String>,
    municipality: String,
    focus_area: String,
    on_date: NaiveDate,
}

fn apply(cases: &mut HashMap<Uuid, Case>, facts: &mut Vec<Fact>, recorded: &RecordedEvent) {
    use CaseEvent::*;
    let case_id = recorded.case_id.as_uuid();
    if let CaseReferred(referral) = &recorded.event {
        cases.insert(
            case_id,
            Case {
                case_id,
                municipality: referral.municipality.to_string(),
                focus_area: referral.focus_area.to_string(),
                referred_on: referral.referred_on,
            },
        );
    }
    let Some(case) = cases.get_mut(&case_id) else {
        return;
    };
    let (measure, category, on_date) = match &recorded.event {
        CaseReferred(r) => (Measure::Referred, None, r.referred_on),
        CaseIncluded(i) => (Measure::Included, None, i.included_on),
        CaseClosed(c) => (Measure::Closed, Some(code(c.result)), c.closed_on),
        SignalRecorded(s) => (Measure::Signal, Some(code(s.kind)), s.occurred_on),
        InterventionPlanned(p) => (Measure::Intervention, Some(code(p.kind)), p.planned_on),
        CaseTransferred(_) | HandoverAccepted(_) => {
            let (municipality, focus_area, _) = recorded.event.moves_to().expect("a move");
            case.municipality = municipality.to_string();
            case.focus_area = focus_area.to_string();
            return;
        }
        _ => return,
    };
    facts.push(Fact {
        case_id,
        sequence: recorded.sequence,
        measure,
        category,
        municipality: case.municipality.clone(),
        focus_area: case.focus_area.clone(),
        on_date,
    });
}

#[async_trait]
impl View for Statistics {
    fn name(&self) -> &'static str {
        "statistics"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["statistics_cases", "statistics_facts"]
    }

    fn version(&self) -> i32 {
        1
    }

    async fn apply(
        &self,
        conn: &mut PgConnection,
        events: &[RecordedEvent],
    ) -> Result<(), sqlx::Error> {
        let mut batch = rows::Batch::new(events);
        let mut known: HashMap<Uuid, Case> = batch.load_by_case(conn, "statistics_cases").await?;
        let mut facts = Vec::new();
        for recorded in events {
            apply(&mut known, &mut facts, recorded);
        }
        let known: Vec<Case> = known.into_values().collect();
        batch.store(conn, "statistics_cases", &known).await?;
        rows::insert(conn, "statistics_facts", &facts).await
    }
}
