//! Proptest strategies over the command space, for the rules' own tests
//! and for the end-to-end property that every accepted command's events
//! reach every view.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

/// A date of the sample year, or now and then one at or past the edge of
/// what a command may carry (and of what PostgreSQL or chrono can print).
pub fn date() -> impl Strategy<Value = NaiveDate> {
    let edges = [
        NaiveDate::from_ymd_opt(0, 1, 1),
        NaiveDate::from_ymd_opt(-1, 1, 1),
        NaiveDate::from_ymd_opt(10_000, 1, 1),
        NaiveDate::from_ymd_opt(1899, 12, 31),
        NaiveDate::from_ymd_opt(1900, 1, 1),
        NaiveDate::from_ymd_opt(9999, 12, 31),
        Some(today()),
        today().succ_opt(),
        Some(crate::dates::latest(crate::dates::When::Planned, today())),
        crate::dates::latest(crate::dates::When::Planned, today()).succ_opt(),
    ]
    .map(|d| d.expect("a date chrono holds"));
    prop_oneof![
        12 => (0u64..120).prop_map(|d| day(2026, 1, 10) + chrono::Days::new(d)),
        1 => proptest::sample::select(edges.to_vec()),
    ]
}

/// Any command a case may be given, after its referral.
pub fn command() -> impl Strategy<Value = CaseCommand> {
    let small = || 0u8..3;
    prop_oneof![
        prop_oneof![
            Just(TriageDecision::TakeOn),
            Just(TriageDecision::AdviceOnly),
            Just(TriageDecision::HandOver {
                partner: org("wijkteam-zuid")
            }),
        ]
        .prop_map(|d| CaseCommand::DecideTriage(triage(d))),
        date().prop_map(|d| CaseCommand::IncludeCase(Inclusion { included_on: d })),
        (small(), any::<bool>()).prop_map(|(n, case_lead)| CaseCommand::AssignLead(lead(
            if case_lead {
                LeadRole::CaseLead
            } else {
                LeadRole::ProcessLead
            },
            n
        ))),
        small().prop_map(|n| CaseCommand::AssignWorker(worker(n))),
        small().prop_map(|n| CaseCommand::UnassignWorker(Unassignment {
            worker: worker(n).id,
            reason: None
        })),
        (small(), small()).prop_map(|(from, to)| CaseCommand::ReassignWorker(Reassignment {
            from: worker(from).id,
            to: worker(to),
            reason: None
        })),
        (
            prop_oneof![Just(RiskLevel::Low), Just(RiskLevel::High)],
            small(),
            date()
        )
            .prop_map(|(level, n, due)| {
                CaseCommand::AssessRisk {
                    assessment: assessment(level),
                    next_review: Some(review(20 + n, due)),
                }
            }),
        Just(CaseCommand::AgreePlan(plan())),
        Just(CaseCommand::RevisePlan(PlanRevision {
            plan: plan(),
            reason: personal("new dates")
        })),
        date().prop_map(|d| CaseCommand::AchieveGoal(GoalAchievement {
            goal_id: id(10),
            achieved_on: d
        })),
        (small(), any::<bool>()).prop_map(|(n, halt)| CaseCommand::PlanIntervention(intervention(
            30 + n,
            if halt {
                InterventionKind::Halt
            } else {
                InterventionKind::Mentoring
            }
        ))),
        (small(), date()).prop_map(|(n, d)| CaseCommand::StartIntervention(InterventionStart {
            intervention_id: id(30 + n),
            started_on: d
        })),
        (small(), date()).prop_map(|(n, d)| CaseCommand::CompleteIntervention(
            InterventionCompletion {
                intervention_id: id(30 + n),
                outcome: InterventionOutcome::PartlySuccessful,
                summary: None,
                completed_on: d
            }
        )),
        (small(), date()).prop_map(|(n, d)| CaseCommand::CancelIntervention(
            InterventionCancellation {
                intervention_id: id(30 + n),
                reason: personal("stopped"),
                cancelled_on: d
            }
        )),
        (small(), any::<bool>()).prop_map(|(n, parent)| CaseCommand::RecordConsent(consent(
            40 + n,
            "halt-rotterdam",
            ConsentPurpose::HaltIntervention,
            if parent {
                ConsentGiver::ParentOrGuardian
            } else {
                ConsentGiver::Youth
            }
        ))),
        (small(), date()).prop_map(|(n, d)| CaseCommand::WithdrawConsent(ConsentWithdrawal {
            consent_id: id(40 + n),
            withdrawn_on: d
        })),
        (small(), date()).prop_map(|(n, d)| CaseCommand::ScheduleReview(review(20 + n, d))),
        (small(), small(), date()).prop_map(|(n, m, d)| CaseCommand::CompleteReview {
            completion: ReviewCompletion {
                review_id: id(20 + n),
                completed_on: d,
                summary: personal("ok")
            },
            next_review: Some(review(23 + m, d + chrono::Days::new(14))),
        }),
        date().prop_map(|d| CaseCommand::StartAftercare(Aftercare { started_on: d })),
        prop_oneof![Just(CaseResult::GoalsAchieved), Just(CaseResult::Refused)]
            .prop_map(|r| CaseCommand::CloseCase(closure(r))),
        date().prop_map(|d| CaseCommand::ReopenCase(Reopening {
            reason: personal("again"),
            reopened_on: d
        })),
        (1u64..40, proptest::option::of(date())).prop_map(|(s, on)| {
            CaseCommand::CorrectEntry(Correction {
                sequence: s,
                correction: personal("fix"),
                contacted_on: on,
            })
        }),
        Just(CaseCommand::EraseSubject(Erasure {
            reason: text("request"),
            erased_on: day(2026, 12, 1)
        })),
        Just(CaseCommand::AddNote(Note {
            confidentiality: Confidentiality::Social,
            text: personal("note")
        })),
        (date(), any::<bool>()).prop_map(|(d, summary)| CaseCommand::LogContact(Contact {
            kind: ContactKind::HomeVisit,
            with_whom: vec![ContactParty::Youth],
            contacted_on: d,
            summary: personal(if summary { "at home" } else { "by phone" }),
        })),
        date().prop_map(|d| CaseCommand::RecordSignal(Signal {
            kind: SignalKind::PoliceContact,
            source_org: org("politie-rotterdam"),
            source_domain: Domain::Justice,
            occurred_on: d,
            summary: Some(personal("seen at night")),
        })),
        date().prop_map(|d| CaseCommand::HoldConference(Conference {
            held_on: d,
            partners_present: vec![org("halt-rotterdam")],
            agreements: personal("weekly check"),
        })),
        date().prop_map(|d| CaseCommand::Escalate(Escalation {
            to: EscalationTarget::Police,
            reason: personal("no progress"),
            escalated_on: d,
        })),
        prop_oneof![
            (any::<bool>(), date()).prop_map(|(amsterdam, d)| CaseCommand::ProposeHandover(
                HandoverProposal {
                    municipality: MunicipalityCode::parse(if amsterdam {
                        "GM0363"
                    } else {
                        "GM0599"
                    })
                    .unwrap(),
                    reason: personal("the family moved"),
                    proposed_on: d,
                }
            )),
            (any::<bool>(), date()).prop_map(|(amsterdam, d)| CaseCommand::AcceptHandover(
                HandoverAcceptance {
                    focus_area: FocusAreaCode::parse(if amsterdam {
                        "amsterdam-zuidoost"
                    } else {
                        "rotterdam-zuid"
                    })
                    .unwrap(),
                    team: TeamId::parse("zuid-1").unwrap(),
                    organisation: org(if amsterdam {
                        "gemeente-amsterdam"
                    } else {
                        "gemeente-rotterdam"
                    }),
                    accepted_on: d,
                }
            )),
            date().prop_map(|d| CaseCommand::DeclineHandover(HandoverDecline {
                reason: personal("no place"),
                declined_on: d,
            })),
        ],
        date().prop_map(|d| CaseCommand::InvolvePartner(PartnerInvolvement {
            partner: org("halt-rotterdam"),
            partner_domain: Domain::Justice,
            basis: Some(LegalBasis::LegalTask {
                provision: personal("Wetboek van Strafrecht art. 77e"),
            }),
            involved_on: d,
        })),
    ]
}
