//! Programme statistics for analysts: per municipality, focus area and month
//! the cases referred, included and closed (with the median days from
//! referral to closure), and per municipality and month the signals and
//! interventions by kind and the closures by result. Small cells are
//! suppressed (see `suppression`); a suppressed count is `null`.

use crate::views::Measure;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::PgPool;

use super::suppression::{suppress, Group};

/// Which figures, from which months (both inclusive, as first days of the month).
#[derive(Clone, Debug)]
pub struct StatisticsFilter {
    /// `None`: every municipality.
    pub municipality: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Counts from 1 up to this (exclusive) are not shown.
    pub threshold: i64,
}

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeStatistics {
    /// Counts of 1 up to this (exclusive) are suppressed, and others with
    /// them where a total would give them away; suppressed is `null`.
    pub threshold: i64,
    pub areas: Vec<AreaMonth>,
    pub municipalities: Vec<MunicipalityMonth>,
    pub breakdowns: Vec<Breakdown>,
}

/// One focus area in one month.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaMonth {
    pub municipality: String,
    pub focus_area: String,
    /// `YYYY-MM`.
    pub month: String,
    pub referred: Option<i64>,
    pub included: Option<i64>,
    pub closed: Option<i64>,
    /// Over the cases closed this month; shown with their count.
    pub median_days_to_close: Option<f64>,
}

/// One municipality in one month: the totals of its areas, and of the breakdowns.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MunicipalityMonth {
    pub municipality: String,
    pub month: String,
    pub referred: Option<i64>,
    pub included: Option<i64>,
    pub closed: Option<i64>,
    pub signals: Option<i64>,
    pub interventions: Option<i64>,
    pub median_days_to_close: Option<f64>,
}

/// Signals and planned interventions by kind, closures by result.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Breakdown {
    pub municipality: String,
    pub month: String,
    /// `signal`, `intervention` or `result`.
    pub measure: &'static str,
    pub category: String,
    pub count: Option<i64>,
}

type Month = (String, String);
type Area = (String, String, String);

/// Every count before suppression, and which counts sum to which.
#[derive(Default)]
struct Table {
    counts: Vec<i64>,
    /// Per area, a cell for each measure counted per area.
    areas: BTreeMap<Area, [usize; Measure::PER_AREA]>,
    /// Per municipality, a cell for each measure.
    totals: BTreeMap<Month, [usize; Measure::COUNT]>,
    breakdowns: BTreeMap<(Month, &'static str, String), usize>,
}

impl Table {
    fn slot(counts: &mut Vec<i64>) -> usize {
        counts.push(0);
        counts.len() - 1
    }

    fn add(&mut self, area: Area, measure: Measure, category: String, n: i64) {
        let month = (area.0.clone(), area.2.clone());
        let counts = &mut self.counts;
        let totals = *self
            .totals
            .entry(month.clone())
            .or_insert_with(|| std::array::from_fn(|_| Self::slot(counts)));
        let m = measure as usize;
        counts[totals[m]] += n;
        if m < Measure::PER_AREA {
            let cells = *self
                .areas
                .entry(area)
                .or_insert_with(|| std::array::from_fn(|_| Self::slot(counts)));
            counts[cells[m]] += n;
        }
        let Some(breakdown) = measure.breakdown() else {
            return;
        };
        let cell = *self
            .breakdowns
            .entry((month, breakdown, category))
            .or_insert_with(|| Self::slot(counts));
        counts[cell] += n;
    }

    fn groups(&self) -> Vec<Group> {
        let mut groups = Vec::new();
        for (month, totals) in &self.totals {
            let areas: Vec<&[usize; Measure::PER_AREA]> = self
                .areas
                .iter()
                .filter(|((m, _, mo), _)| (m, mo) == (&month.0, &month.1))
                .map(|(_, cells)| cells)
                .collect();
            for m in 0..Measure::PER_AREA {
                groups.push(Group {
                    cells: areas.iter().map(|cells| cells[m]).collect(),
                    total: totals[m],
                });
            }
            for measure in [Measure::Signal, Measure::Intervention, Measure::Closed] {
                let (breakdown, total) = (measure.breakdown(), measure as usize);
                groups.push(Group {
                    cells: self
                        .breakdowns
                        .iter()
                        .filter(|((m, b, _), _)| m == month && Some(*b) == breakdown)
                        .map(|(_, &cell)| cell)
                        .collect(),
                    total: totals[total],
                });
            }
        }
        groups
    }
}

/// The figures of `filter`, suppressed.
pub async fn statistics(
    pool: &PgPool,
    filter: &StatisticsFilter,
) -> Result<ProgrammeStatistics, sqlx::Error> {
    let rows: Vec<(String, String, String, String, String, i64)> = sqlx::query_as(
        "select municipality, focus_area, to_char(on_date, 'YYYY-MM'), measure,
                coalesce(category, ''), count(*)
           from statistics_facts
          where ($1::text is null or municipality = $1)
            and on_date >= $2 and on_date < ($3::date + interval '1 month')
          group by 1, 2, 3, 4, 5",
    )
    .bind(&filter.municipality)
    .bind(filter.from)
    .bind(filter.to)
    .fetch_all(pool)
    .await?;
    // Medians per area and month, and per municipality and month (area null).
    let medians: Vec<(String, Option<String>, String, f64)> = sqlx::query_as(
        "select f.municipality, f.focus_area, to_char(f.on_date, 'YYYY-MM'),
                percentile_cont(0.5) within group (order by f.on_date - c.referred_on)
           from statistics_facts f join statistics_cases c using (case_id)
          where f.measure = 'closed'
            and ($1::text is null or f.municipality = $1)
            and f.on_date >= $2 and f.on_date < ($3::date + interval '1 month')
          group by grouping sets ((1, 2, 3), (1, 3))",
    )
    .bind(&filter.municipality)
    .bind(filter.from)
    .bind(filter.to)
    .fetch_all(pool)
    .await?;
    let median: BTreeMap<(String, Option<String>, String), f64> = medians
        .into_iter()
        .map(|(m, area, month, days)| ((m, area, month), days))
        .collect();

    let mut table = Table::default();
    for (municipality, area, month, measure, category, n) in rows {
        // A measure this release does not count is left out.
        if let Ok(measure) = measure.parse() {
            table.add((municipality, area, month), measure, category, n);
        }
    }
    let hidden = suppress(&table.counts, &table.groups(), filter.threshold);
    let shown = |i: usize| (!hidden[i]).then_some(table.counts[i]);
    // A median is shown where its closures are, and there are some.
    let median_of = |closed: usize, key: (String, Option<String>, String)| {
        shown(closed)
            .filter(|n| *n > 0)
            .and_then(|_| median.get(&key).copied())
    };
    Ok(ProgrammeStatistics {
        threshold: filter.threshold,
        areas: table
            .areas
            .iter()
            .map(|((m, area, month), cells)| AreaMonth {
                median_days_to_close: median_of(
                    cells[Measure::Closed as usize],
                    (m.clone(), Some(area.clone()), month.clone()),
                ),
                municipality: m.clone(),
                focus_area: area.clone(),
                month: month.clone(),
                referred: shown(cells[Measure::Referred as usize]),
                included: shown(cells[Measure::Included as usize]),
                closed: shown(cells[Measure::Closed as usize]),
            })
            .collect(),
        municipalities: table
            .totals
            .iter()
            .map(|((m, month), totals)| MunicipalityMonth {
                median_days_to_close: median_of(
                    totals[Measure::Closed as usize],
                    (m.clone(), None, month.clone()),
                ),
                municipality: m.clone(),
                month: month.clone(),
                referred: shown(totals[Measure::Referred as usize]),
                included: shown(totals[Measure::Included as usize]),
                closed: shown(totals[Measure::Closed as usize]),
                signals: shown(totals[Measure::Signal as usize]),
                interventions: shown(totals[Measure::Intervention as usize]),
            })
            .collect(),
        breakdowns: table
            .breakdowns
            .iter()
            .map(|(((m, month), measure, category), &cell)| Breakdown {
                municipality: m.clone(),
                month: month.clone(),
                measure,
                category: category.clone(),
                count: shown(cell),
            })
            .collect(),
    })
}
